// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/WorkInfo
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public final class WorkInfo {
    // The real value comes from the library at build time; this stub only gives javac the name.
    public static final int STOP_REASON_FOREGROUND_SERVICE_TIMEOUT = Integer.MIN_VALUE;
}
