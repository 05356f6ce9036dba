package net.plexdownloader;

import android.app.Application;
import android.os.Environment;
import java.io.File;

/**
 * Starts the core once per process, before any screen, worker or receiver runs: the data
 * folder is the app's private files folder, downloads go to app-specific external storage
 * (kept until the app is uninstalled, not cleaned by the system like the public Downloads
 * folder). Then it asks WorkManager for the periodic check and reconciles once.
 */
public final class PlexDownloaderApp extends Application {
    @Override
    public void onCreate() {
        super.onCreate();
        File external = getExternalFilesDir(null);
        File downloads = new File(external != null ? external : getFilesDir(), "downloads");
        NativeBridge.init(getFilesDir().getAbsolutePath(),
                "{" + Work.quote(NativeBridgeNames.SETTING_DOWNLOAD_DIR) + ": " + Work.quote(downloads.getAbsolutePath())
                + ", " + Work.quote(NativeBridgeNames.SETTING_STORAGE_CHOICES) + ": " + storageChoices() + "}");
        Work.scheduleMaintenance(this);
        Work.reconcileNow(this);
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
            json.append("{").append(Work.quote(NativeBridgeNames.SETTING_LABEL)).append(": ").append(Work.quote(label))
                    .append(", ").append(Work.quote(NativeBridgeNames.SETTING_PATH)).append(": ")
                    .append(Work.quote(new File(volume, "downloads").getAbsolutePath()))
                    .append("}");
        }
        return json.append("]").toString();
    }
}
