// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/content/BroadcastReceiver
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.content;

public abstract class BroadcastReceiver {
    public BroadcastReceiver() {}
    public abstract void onReceive(Context context, Intent intent);
}
