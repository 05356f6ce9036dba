package net.plexdownloader;

import android.content.BroadcastReceiver;
import android.content.Context;
import android.content.Intent;

/**
 * After a reboot or an app update: check the downloads and make sure the queue runs
 * (WorkManager keeps its work across reboots; this repairs what a force-stop dropped). The
 * application object has already started the core.
 */
public final class StartReceiver extends BroadcastReceiver {
    @Override
    public void onReceive(Context context, Intent intent) {
        String action = intent.getAction();
        if (Intent.ACTION_BOOT_COMPLETED.equals(action) || Intent.ACTION_MY_PACKAGE_REPLACED.equals(action)) {
            Work.checkNow(context);
        }
    }
}
