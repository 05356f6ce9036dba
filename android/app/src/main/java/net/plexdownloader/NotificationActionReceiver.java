package net.plexdownloader;

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;

/**
 * Pause and Cancel from the progress notification: the same bridge requests the screens
 * send. The core also raises the running step's stop flag, so the worker ends promptly.
 */
public final class NotificationActionReceiver extends BroadcastReceiver {
    static final String PAUSE = "net.plexdownloader.PAUSE";
    static final String CANCEL = "net.plexdownloader.CANCEL";

    @Override
    public void onReceive(Context context, Intent intent) {
        long id = intent.getLongExtra(Work.DOWNLOAD_ID, -1);
        String method = PAUSE.equals(intent.getAction())
                ? NativeBridgeNames.METHOD_DOWNLOADS_PAUSE
                : NativeBridgeNames.METHOD_DOWNLOADS_CANCEL;
        if (id >= 0) {
            NativeBridge.dispatch(NativeBridgeNames.downloadRequest(method, id));
        }
    }
}
