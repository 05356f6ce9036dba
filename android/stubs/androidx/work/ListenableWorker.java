// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/ListenableWorker
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public abstract class ListenableWorker {
    public ListenableWorker(android.content.Context appContext, WorkerParameters workerParams) {}
    public final android.content.Context getApplicationContext() { throw new UnsupportedOperationException(); }
    public final Data getInputData() { throw new UnsupportedOperationException(); }
    public final java.util.UUID getId() { throw new UnsupportedOperationException(); }
    public void onStopped() {}
    public final boolean isStopped() { throw new UnsupportedOperationException(); }
    public final int getStopReason() { throw new UnsupportedOperationException(); }
    public final com.google.common.util.concurrent.ListenableFuture<Void> setForegroundAsync(ForegroundInfo foregroundInfo) { throw new UnsupportedOperationException(); }
    public abstract static class Result {
        public static Result success() { throw new UnsupportedOperationException(); }
        public static Result failure() { throw new UnsupportedOperationException(); }
        public static Result retry() { throw new UnsupportedOperationException(); }
    }
}
