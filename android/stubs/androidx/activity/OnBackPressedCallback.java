// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/activity/OnBackPressedCallback
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.activity;

public abstract class OnBackPressedCallback {
    public OnBackPressedCallback(boolean enabled) {}
    public final void setEnabled(boolean isEnabled) {}
    public abstract void handleOnBackPressed();
}
