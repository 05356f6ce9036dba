package net.plexdownloader;

import android.app.Application;
import android.os.Environment;
import java.io.File;

/**
 * Starts the core once per process, before any screen, worker or receiver runs: the data
 * folder is the app's private files folder, downloads go to app-specific external storage
 * (kept until the app is uninstalled, not cleaned by the system like the public Downloads
 * folder). Then it asks WorkManager for the periodic check and checks once, which also
 * makes sure the queue runs.
 *
 * <p>Nothing here may throw: a failure in {@code onCreate} would crash the app, its workers
 * and its receivers on every start, and the user could never reach Settings. A folder on a
 * storage card that was taken out does not stop the core (it says so on the Downloads
 * screen); any other failure to start is kept by the core and shown as the reason of every
 * answer the screens get.
 */
public final class PlexDownloaderApp extends Application {
    @Override
    public void onCreate() {
        super.onCreate();
        File external = getExternalFilesDir(null);
        File downloads = new File(external != null ? external : getFilesDir(), "downloads");
        try {
            NativeBridge.init(getFilesDir().getAbsolutePath(),
                    "{" + NativeBridgeNames.quote(NativeBridgeNames.SETTING_DOWNLOAD_DIR) + ": "
                    + NativeBridgeNames.quote(downloads.getAbsolutePath()) + ", "
                    + NativeBridgeNames.quote(NativeBridgeNames.SETTING_STORAGE_CHOICES) + ": " + storageChoices() + "}");
        } catch (RuntimeException failed) {
            // Kept by the core: every answer to the screens gives the reason.
            return;
        }
        Work.scheduleMaintenance(this);
        Work.checkNow(this);
    }

    /**
     * Every volume's app-specific folder: the phone's own storage first, then each SD card
     * (removable volumes), as {@code [{"label": ..., "path": ...}]}.
     */
    private String storageChoices() {
        StringBuilder json = new StringBuilder("[");
        int cards = 0;
        for (File volume : getExternalFilesDirs(null)) {
            if (volume == null) {
                continue; // a volume that is not mounted now
            }
            String label = Environment.isExternalStorageRemovable(volume)
                    ? (++cards == 1 ? "SD card" : "SD card " + cards)
                    : "Phone storage";
            if (json.length() > 1) {
                json.append(", ");
            }
            json.append("{").append(NativeBridgeNames.quote(NativeBridgeNames.SETTING_LABEL)).append(": ")
                    .append(NativeBridgeNames.quote(label))
                    .append(", ").append(NativeBridgeNames.quote(NativeBridgeNames.SETTING_PATH)).append(": ")
                    .append(NativeBridgeNames.quote(new File(volume, "downloads").getAbsolutePath()))
                    .append("}");
        }
        return json.append("]").toString();
    }
}
