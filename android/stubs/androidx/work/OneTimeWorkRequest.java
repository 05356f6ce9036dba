// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/OneTimeWorkRequest.Builder
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

// In the library these builder methods come from WorkRequest.Builder<B, W> and return B, which
// is OneTimeWorkRequest.Builder here.
public final class OneTimeWorkRequest {
    public static final class Builder {
        public Builder(Class<? extends ListenableWorker> workerClass) {}
        public Builder setInputData(Data inputData) { return this; }
        public Builder setInitialDelay(long duration, java.util.concurrent.TimeUnit timeUnit) { return this; }
        public Builder setConstraints(Constraints constraints) { return this; }
        public Builder addTag(String tag) { return this; }
        public OneTimeWorkRequest build() { throw new UnsupportedOperationException(); }
    }
}
