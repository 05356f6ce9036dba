// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/os/Environment
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.os;

public class Environment {
    public static boolean isExternalStorageRemovable(java.io.File path) { throw new UnsupportedOperationException(); }
}
