// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/activity/OnBackPressedDispatcher
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.activity;

public final class OnBackPressedDispatcher {
    public final void addCallback(androidx.lifecycle.LifecycleOwner owner, OnBackPressedCallback onBackPressedCallback) {}
    public final void onBackPressed() {}
}
