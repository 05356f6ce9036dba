// Type-checking stub, not the real class: only the signatures the app uses, copied from
// https://developer.android.com/reference/androidx/work/WorkManager
// The bodies never run; the real class comes from the Android SDK or the AndroidX library.
package androidx.work;

public abstract class WorkManager {
    public static WorkManager getInstance(android.content.Context context) { throw new UnsupportedOperationException(); }
    public abstract Operation enqueueUniqueWork(String uniqueWorkName, ExistingWorkPolicy existingWorkPolicy, OneTimeWorkRequest request);
    public abstract Operation enqueueUniquePeriodicWork(String uniqueWorkName, ExistingPeriodicWorkPolicy existingPeriodicWorkPolicy, PeriodicWorkRequest request);
}
