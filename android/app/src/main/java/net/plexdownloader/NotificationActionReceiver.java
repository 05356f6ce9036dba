package net.plexdownloader;

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;

/**
 * Pause all and Cancel from the queue's notification. The core pauses (or cancels) the
 * downloads and raises their steps' stop flags, so the worker's run ends promptly.
 */
public final class NotificationActionReceiver extends BroadcastReceiver {
    static final String PAUSE_ALL = "net.plexdownloader.PAUSE_ALL";
    static final String CANCEL = "net.plexdownloader.CANCEL";

    @Override
    public void onReceive(Context context, Intent intent) {
        if (PAUSE_ALL.equals(intent.getAction())) {
            CoreCalls.pauseAll();
        } else if (CANCEL.equals(intent.getAction())) {
            CoreCalls.cancelMoving();
        }
    }
}
