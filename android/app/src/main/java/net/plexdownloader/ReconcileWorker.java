package net.plexdownloader;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.work.Worker;
import androidx.work.WorkerParameters;

/**
 * Checks the finished files against the manifest (repairing what differs) and makes sure
 * the queue runs if it has work: at app start, after a reboot or an update, and every 6
 * hours. The queue's own worker decides what that work is.
 */
public final class ReconcileWorker extends Worker {
    public ReconcileWorker(@NonNull Context context, @NonNull WorkerParameters params) {
        super(context, params);
    }

    @NonNull
    @Override
    public Result doWork() {
        try {
            NativeBridge.verify();
        } catch (RuntimeException failed) {
            // A folder that is not there (a storage card taken out) or a core that did not
            // start: nothing is judged, and the queue's run says the rest.
        }
        Work.scheduling(getApplicationContext()).ensureRun();
        return Result.success();
    }
}
