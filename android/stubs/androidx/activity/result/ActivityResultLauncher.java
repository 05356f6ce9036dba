// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/activity/result/ActivityResultLauncher
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.activity.result;

public abstract class ActivityResultLauncher<I> {
    public ActivityResultLauncher() {}
    public void launch(I input) { throw new UnsupportedOperationException(); }
}
