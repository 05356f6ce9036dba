// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/PeriodicWorkRequest.Builder
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public final class PeriodicWorkRequest {
    public static final class Builder {
        public Builder(Class<? extends ListenableWorker> workerClass, long repeatInterval, java.util.concurrent.TimeUnit repeatIntervalTimeUnit) {}
        public PeriodicWorkRequest build() { throw new UnsupportedOperationException(); }
    }
}
