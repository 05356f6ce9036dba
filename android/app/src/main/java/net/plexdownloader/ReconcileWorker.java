package net.plexdownloader;

import android.content.Context;
import androidx.annotation.NonNull;
import androidx.work.Worker;
import androidx.work.WorkerParameters;

/**
 * Compares the manifest with the files on disk, schedules every unfinished download again
 * (repairing what a force-stop dropped), and checks the finished files.
 */
public final class ReconcileWorker extends Worker {
    public ReconcileWorker(@NonNull Context context, @NonNull WorkerParameters params) {
        super(context, params);
    }

    @NonNull
    @Override
    public Result doWork() {
        try {
            Work.scheduleWakes(getApplicationContext(), NativeBridge.reconcile());
            NativeBridge.verify();
            return Result.success();
        } catch (BridgeException failed) {
            return Result.retry();
        }
    }
}
