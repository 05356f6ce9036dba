// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/content/pm/PackageManager
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.content.pm;

public abstract class PackageManager {
    public static final int PERMISSION_GRANTED = 0;
}
