// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/Worker
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public abstract class Worker extends ListenableWorker {
    public Worker(android.content.Context context, WorkerParameters workerParams) { super(context, workerParams); }
    public abstract ListenableWorker.Result doWork();
}
