package net.plexdownloader;

import android.app.Notification;
import android.app.NotificationChannel;
import android.app.NotificationManager;
import android.app.PendingIntent;
import android.content.Context;
import android.content.Intent;
import android.content.pm.ServiceInfo;
import androidx.core.app.NotificationCompat;
import androidx.work.ForegroundInfo;

/**
 * The queue's one notification, as the core describes it (NativeBridge.queueProgress): the
 * title, what moves now, the overall progress, why it is slower when Android limits the
 * app, and Pause all and Cancel (androidChecklist.md 2.3, 2.4, 2.7).
 */
final class QueueNotification {
    static final String CHANNEL = "downloads";
    static final int ID = 1;
    private final Context context;

    QueueNotification(Context context) {
        this.context = context;
        context.getSystemService(NotificationManager.class).createNotificationChannel(
                new NotificationChannel(CHANNEL, "Downloads", NotificationManager.IMPORTANCE_LOW));
    }

    ForegroundInfo foregroundInfo() {
        return new ForegroundInfo(ID, build(), ServiceInfo.FOREGROUND_SERVICE_TYPE_DATA_SYNC);
    }

    /** As an ordinary notification, when Android refused the foreground. */
    void showLimited() {
        context.getSystemService(NotificationManager.class).notify(ID, build());
    }

    /** The run ended: an ordinary notification is taken away (the foreground one goes with its service). */
    void done(boolean foreground) {
        if (!foreground) {
            context.getSystemService(NotificationManager.class).cancel(ID);
        }
    }

    private Notification build() {
        String progress;
        try {
            progress = NativeBridge.queueProgress();
        } catch (RuntimeException unreadable) {
            progress = "";
        }
        long done = NativeBridgeNames.number(progress, NativeBridgeNames.FIELD_BYTES_DONE, 0);
        long total = NativeBridgeNames.number(progress, NativeBridgeNames.FIELD_BYTES_TOTAL, 0);
        String title = NativeBridgeNames.field(progress, NativeBridgeNames.FIELD_TITLE);
        String text = NativeBridgeNames.field(progress, NativeBridgeNames.FIELD_TEXT);
        String slower = NativeBridgeNames.field(progress, NativeBridgeNames.FIELD_SLOWER);
        NotificationCompat.Builder builder = new NotificationCompat.Builder(context, CHANNEL)
                .setSmallIcon(R.drawable.ic_notification)
                .setContentTitle(title != null ? title : "Downloads")
                .setContentText(text != null ? text : "")
                .setOnlyAlertOnce(true)
                .setOngoing(true)
                .setProgress(100, total > 0 ? (int) (done * 100 / total) : 0, total <= 0)
                .setContentIntent(PendingIntent.getActivity(context, 0, new Intent(context, MainActivity.class),
                        PendingIntent.FLAG_IMMUTABLE))
                .addAction(0, "Pause all", action(NotificationActionReceiver.PAUSE_ALL))
                .addAction(0, "Cancel", action(NotificationActionReceiver.CANCEL));
        if (slower != null) {
            builder.setStyle(new NotificationCompat.BigTextStyle().bigText((text != null ? text + "\n" : "") + slower));
        }
        return builder.build();
    }

    private PendingIntent action(String name) {
        Intent intent = new Intent(context, NotificationActionReceiver.class).setAction(name);
        return PendingIntent.getBroadcast(context, name.length(), intent,
                PendingIntent.FLAG_IMMUTABLE | PendingIntent.FLAG_UPDATE_CURRENT);
    }
}
