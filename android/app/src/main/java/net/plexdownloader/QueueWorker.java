package net.plexdownloader;

import android.content.Context;
import android.net.ConnectivityManager;
import android.net.Network;
import android.net.NetworkCapabilities;
import android.os.Build;
import androidx.annotation.NonNull;
import androidx.work.WorkInfo;
import androidx.work.Worker;
import androidx.work.WorkerParameters;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The queue's one worker (unique work "queue"): adapts {@link QueueRun} to WorkManager. It
 * asks once for foreground status (type dataSync) with the queue's notification, reports
 * the network to the core while it runs, refreshes the notification every 2 seconds, and
 * passes WorkManager's stop, with its reason, to this run only.
 */
public final class QueueWorker extends Worker {
    private final long handle;
    private volatile boolean foreground;

    public QueueWorker(@NonNull Context context, @NonNull WorkerParameters params) {
        super(context, params);
        handle = getId().getMostSignificantBits() ^ getId().getLeastSignificantBits();
    }

    @NonNull
    @Override
    public Result doWork() {
        Context context = getApplicationContext();
        QueueNotification notification = new QueueNotification(context);
        ConnectivityManager connectivity = context.getSystemService(ConnectivityManager.class);
        ConnectivityManager.NetworkCallback network = new ConnectivityManager.NetworkCallback() {
            @Override
            public void onCapabilitiesChanged(Network changed, NetworkCapabilities capabilities) {
                report(capabilities);
            }

            @Override
            public void onLost(Network lost) {
                QueueRun.networkChanged(false, false);
            }
        };
        report(connectivity.getNetworkCapabilities(connectivity.getActiveNetwork()));
        connectivity.registerDefaultNetworkCallback(network);
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.scheduleWithFixedDelay(() -> show(notification), 2, 2, TimeUnit.SECONDS);
        try {
            new QueueRun(Work.scheduling(context)).run(handle, () -> {
                foreground = becomeForeground(notification);
                return foreground;
            });
        } finally {
            progress.shutdownNow();
            connectivity.unregisterNetworkCallback(network);
            notification.done(foreground);
        }
        return Result.success();
    }

    @Override
    public void onStopped() {
        boolean timeLimit = Build.VERSION.SDK_INT >= 31
                && getStopReason() == WorkInfo.STOP_REASON_FOREGROUND_SERVICE_TIMEOUT;
        QueueRun.stopped(handle, timeLimit);
    }

    private static void report(NetworkCapabilities capabilities) {
        QueueRun.networkChanged(capabilities != null
                && capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_INTERNET),
                capabilities != null && capabilities.hasCapability(NetworkCapabilities.NET_CAPABILITY_NOT_METERED));
    }

    /** Waits for WorkManager's answer (androidChecklist.md 1.3); false when Android refused (1.9). */
    private boolean becomeForeground(QueueNotification notification) {
        try {
            setForegroundAsync(notification.foregroundInfo()).get();
            return true;
        } catch (ExecutionException | IllegalStateException refused) {
            return false;
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void show(QueueNotification notification) {
        if (foreground) {
            becomeForeground(notification);
        } else {
            notification.showLimited();
        }
    }
}
