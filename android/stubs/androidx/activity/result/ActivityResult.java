// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/activity/result/ActivityResult
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.activity.result;

public final class ActivityResult {
    public ActivityResult(int resultCode, android.content.Intent data) {}
    public int getResultCode() { throw new UnsupportedOperationException(); }
    public android.content.Intent getData() { throw new UnsupportedOperationException(); }
}
