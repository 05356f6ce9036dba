package net.plexdownloader;

import android.app.Notification;
import android.app.NotificationChannel;
import android.app.NotificationManager;
import android.app.PendingIntent;
import android.content.Context;
import android.content.Intent;
import android.content.pm.ServiceInfo;
import androidx.annotation.NonNull;
import androidx.core.app.NotificationCompat;
import androidx.work.ForegroundInfo;
import androidx.work.Worker;
import androidx.work.WorkerParameters;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * Runs one step of one download (unique work "download-ID"). The step runs in the core on
 * this thread as a foreground worker (type dataSync) with a progress notification that has
 * Pause and Cancel; when WorkManager stops the worker, the core is asked to checkpoint and
 * return. The next step is scheduled with the delay the core returns.
 */
public final class DownloadWorker extends Worker {
    static final String CHANNEL = "downloads";
    private final long downloadId;

    public DownloadWorker(@NonNull Context context, @NonNull WorkerParameters params) {
        super(context, params);
        downloadId = params.getInputData().getLong(Work.DOWNLOAD_ID, -1);
    }

    @NonNull
    @Override
    public Result doWork() {
        if (downloadId < 0) {
            return Result.failure();
        }
        becomeForeground(foregroundInfo("Starting", 0, 0));
        ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
        progress.scheduleWithFixedDelay(this::showProgress, 2, 2, TimeUnit.SECONDS);
        try {
            JSONObject result = new JSONObject(NativeBridge.runStep(downloadId, getId().hashCode()));
            switch (result.getString(NativeBridgeNames.FIELD_NEXT)) {
                case NativeBridgeNames.NEXT_WAKE_AFTER:
                    Work.enqueueDownload(getApplicationContext(), downloadId,
                            result.getLong(NativeBridgeNames.FIELD_MILLIS), true);
                    break;
                case NativeBridgeNames.NEXT_WAIT_FOR_NETWORK:
                    // The network constraint holds the next step until a network is back.
                    Work.enqueueDownload(getApplicationContext(), downloadId, 0, true);
                    break;
                default:
                    break;
            }
            return Result.success();
        } catch (BridgeException | JSONException failed) {
            return Result.retry();
        } finally {
            progress.shutdownNow();
        }
    }

    @Override
    public void onStopped() {
        NativeBridge.requestStop(downloadId);
    }

    /** Reads this download from the manifest and updates the notification. */
    private void showProgress() {
        try {
            JSONArray list = new JSONObject(NativeBridge.dispatch(
                    NativeBridgeNames.request(NativeBridgeNames.METHOD_DOWNLOADS_LIST, "{}")))
                    .getJSONArray(NativeBridgeNames.FIELD_RESULT);
            for (int i = 0; i < list.length(); i++) {
                JSONObject download = list.getJSONObject(i);
                if (download.getLong(NativeBridgeNames.FIELD_ID) == downloadId) {
                    long total = download.optLong(NativeBridgeNames.FIELD_BYTES_TOTAL, 0);
                    becomeForeground(foregroundInfo(download.getString(NativeBridgeNames.FIELD_TITLE) + ": "
                            + download.getString(NativeBridgeNames.FIELD_PHASE),
                            download.getLong(NativeBridgeNames.FIELD_BYTES_DONE), total));
                }
            }
        } catch (JSONException | BridgeException unreadable) {
            // The notification keeps its last text; the download itself is unaffected.
        }
    }

    /**
     * Runs as a foreground worker, waiting until WorkManager has done it. From the
     * background (after a reboot, a retry) Android may refuse; the step then runs as an
     * ordinary job, which the core's step budget (8 minutes, then a checkpoint) fits.
     */
    private void becomeForeground(ForegroundInfo info) {
        try {
            setForegroundAsync(info).get();
        } catch (ExecutionException | IllegalStateException refused) {
            // Not foreground this time; the download goes on and resumes in the next step.
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }

    private PendingIntent action(String name) {
        Intent intent = new Intent(getApplicationContext(), NotificationActionReceiver.class)
                .setAction(name)
                .putExtra(Work.DOWNLOAD_ID, downloadId);
        return PendingIntent.getBroadcast(getApplicationContext(), (int) downloadId * 2 + name.length(), intent,
                PendingIntent.FLAG_IMMUTABLE | PendingIntent.FLAG_UPDATE_CURRENT);
    }

    private ForegroundInfo foregroundInfo(String text, long done, long total) {
        NotificationManager manager = getApplicationContext().getSystemService(NotificationManager.class);
        manager.createNotificationChannel(
                new NotificationChannel(CHANNEL, "Downloads", NotificationManager.IMPORTANCE_LOW));
        int percent = total > 0 ? (int) (done * 100 / total) : 0;
        Notification notification = new NotificationCompat.Builder(getApplicationContext(), CHANNEL)
                .setSmallIcon(R.drawable.ic_notification)
                .setContentTitle("Downloading")
                .setContentText(text)
                .setOnlyAlertOnce(true)
                .setOngoing(true)
                .setProgress(100, percent, total <= 0)
                .addAction(0, "Pause", action(NotificationActionReceiver.PAUSE))
                .addAction(0, "Cancel", action(NotificationActionReceiver.CANCEL))
                .build();
        return new ForegroundInfo((int) downloadId, notification, ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC);
    }
}
