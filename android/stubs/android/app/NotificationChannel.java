// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/app/NotificationChannel
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.app;

public final class NotificationChannel {
    public NotificationChannel(String id, CharSequence name, int importance) {}
}
