// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/app/PendingIntent
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.app;

public final class PendingIntent {
    public static final int FLAG_IMMUTABLE = 67108864;
    public static final int FLAG_UPDATE_CURRENT = 134217728;
    public static PendingIntent getActivity(android.content.Context context, int requestCode, android.content.Intent intent, int flags) { throw new UnsupportedOperationException(); }
    public static PendingIntent getBroadcast(android.content.Context context, int requestCode, android.content.Intent intent, int flags) { throw new UnsupportedOperationException(); }
}
