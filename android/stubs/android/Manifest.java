// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/Manifest.permission
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android;

public final class Manifest {
    public static final class permission {
        public static final String POST_NOTIFICATIONS = "android.permission.POST_NOTIFICATIONS";
    }
}
