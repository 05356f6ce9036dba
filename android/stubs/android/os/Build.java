// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/android/os/Build.VERSION
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package android.os;

public class Build {
    public static class VERSION {
        public static final int SDK_INT = 0;
    }
}
