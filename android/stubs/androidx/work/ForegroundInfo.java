// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/ForegroundInfo
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public final class ForegroundInfo {
    public ForegroundInfo(int notificationId, android.app.Notification notification, int foregroundServiceType) {}
}
