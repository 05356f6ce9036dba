package net.plexdownloader;

import android.content.Context;
import androidx.work.Constraints;
import androidx.work.ExistingPeriodicWorkPolicy;
import androidx.work.ExistingWorkPolicy;
import androidx.work.NetworkType;
import androidx.work.OneTimeWorkRequest;
import androidx.work.PeriodicWorkRequest;
import androidx.work.WorkManager;
import java.util.concurrent.TimeUnit;

/**
 * WorkManager requests for the core, as {@link QueueScheduling} decides them. WorkManager
 * is only the alarm clock: the core decides what runs and when, and the manifest survives
 * whatever WorkManager forgets.
 */
public final class Work implements QueueScheduling.WorkRequests {
    private static QueueScheduling scheduling;
    private final Context context;

    private Work(Context context) {
        this.context = context.getApplicationContext();
    }

    /** The process's one scheduler of the queue's work. */
    static synchronized QueueScheduling scheduling(Context context) {
        if (scheduling == null) {
            scheduling = new QueueScheduling(new Work(context));
        }
        return scheduling;
    }

    /** What a tap on the screens starts when the core asks for a run (see CoreCalls). */
    static CoreCalls.QueueStarter starter(Context context) {
        return scheduling(context)::runNow;
    }

    @Override
    public void replaceNow() {
        enqueue(ExistingWorkPolicy.REPLACE, 0, false);
    }

    @Override
    public void appendLater(long delayMillis, boolean unmeteredOnly) {
        enqueue(ExistingWorkPolicy.APPEND_OR_REPLACE, delayMillis, unmeteredOnly);
    }

    @Override
    public void keepOrAdd() {
        enqueue(ExistingWorkPolicy.KEEP, 0, false);
    }

    /**
     * The network condition only holds a run until a network is there; Wi-Fi only is the
     * core's to apply at every step, from the network this app reports (QueueWorker).
     */
    private void enqueue(ExistingWorkPolicy policy, long delayMillis, boolean unmeteredOnly) {
        OneTimeWorkRequest request = new OneTimeWorkRequest.Builder(QueueWorker.class)
                .setInitialDelay(delayMillis, TimeUnit.MILLISECONDS)
                .setConstraints(new Constraints.Builder()
                        .setRequiredNetworkType(unmeteredOnly ? NetworkType.UNMETERED : NetworkType.CONNECTED)
                        .setRequiresStorageNotLow(true)
                        .build())
                .build();
        WorkManager.getInstance(context).enqueueUniqueWork(QueueScheduling.UNIQUE_WORK, policy, request);
    }

    /** Verifies the downloads and makes sure the queue runs (at app start, after boot and an update). */
    static void checkNow(Context context) {
        WorkManager.getInstance(context).enqueueUniqueWork("check", ExistingWorkPolicy.KEEP,
                new OneTimeWorkRequest.Builder(ReconcileWorker.class).build());
    }

    /** The same every 6 hours, whatever happens to the app. */
    static void scheduleMaintenance(Context context) {
        WorkManager.getInstance(context).enqueueUniquePeriodicWork("maintenance",
                ExistingPeriodicWorkPolicy.KEEP,
                new PeriodicWorkRequest.Builder(ReconcileWorker.class, 6, TimeUnit.HOURS).build());
    }
}
