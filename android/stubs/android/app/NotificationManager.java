// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/app/NotificationManager
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.app;

public class NotificationManager {
    public static final int IMPORTANCE_LOW = 2;
    public void createNotificationChannel(NotificationChannel channel) {}
    public void notify(int id, Notification notification) {}
    public void cancel(int id) {}
}
