package net.plexdownloader;

import android.content.Context;
import androidx.work.Constraints;
import androidx.work.Data;
import androidx.work.ExistingPeriodicWorkPolicy;
import androidx.work.ExistingWorkPolicy;
import androidx.work.NetworkType;
import androidx.work.OneTimeWorkRequest;
import androidx.work.PeriodicWorkRequest;
import androidx.work.WorkManager;
import java.util.concurrent.TimeUnit;
import org.json.JSONArray;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * WorkManager requests for the core. WorkManager is only the alarm clock: the core decides
 * what runs and when, and the manifest survives whatever WorkManager forgets.
 */
public final class Work {
    static final String DOWNLOAD_ID = "downloadId";

    private Work() {}

    /** A JSON string literal. */
    static String quote(String text) {
        return JSONObject.quote(text);
    }

    /** Wi-Fi only (from the user's settings) turns into an unmetered-network constraint. */
    static Constraints constraints() {
        boolean wifiOnly = false;
        try {
            JSONObject answer = new JSONObject(
                    NativeBridge.dispatch(NativeBridgeNames.request(NativeBridgeNames.METHOD_SETTINGS_GET, "{}")));
            wifiOnly = answer.getJSONObject(NativeBridgeNames.FIELD_RESULT)
                    .getJSONObject(NativeBridgeNames.FIELD_SETTINGS)
                    .getBoolean(NativeBridgeNames.FIELD_WIFI_ONLY);
        } catch (JSONException | BridgeException unreadable) {
            // Without settings the default applies: any connected network.
        }
        return new Constraints.Builder()
                .setRequiredNetworkType(wifiOnly ? NetworkType.UNMETERED : NetworkType.CONNECTED)
                .setRequiresStorageNotLow(true)
                .build();
    }

    /**
     * Schedules a download's next step. From outside a running worker KEEP leaves a
     * scheduled or running step alone; a worker rescheduling itself uses APPEND_OR_REPLACE,
     * because KEEP would drop the request while the worker is still running.
     */
    static void enqueueDownload(Context context, long downloadId, long delayMillis, boolean fromWorker) {
        OneTimeWorkRequest request = new OneTimeWorkRequest.Builder(DownloadWorker.class)
                .setInputData(new Data.Builder().putLong(DOWNLOAD_ID, downloadId).build())
                .setInitialDelay(Math.max(0, delayMillis), TimeUnit.MILLISECONDS)
                .setConstraints(constraints())
                .addTag("download")
                .build();
        WorkManager.getInstance(context).enqueueUniqueWork("download-" + downloadId,
                fromWorker ? ExistingWorkPolicy.APPEND_OR_REPLACE : ExistingWorkPolicy.KEEP, request);
    }

    /** Schedules every wake the core returned from reconcile ({@code [{"downloadId":1,"afterMillis":0}]}). */
    static void scheduleWakes(Context context, String wakesJson) {
        try {
            JSONArray wakes = new JSONArray(wakesJson);
            for (int i = 0; i < wakes.length(); i++) {
                JSONObject wake = wakes.getJSONObject(i);
                enqueueDownload(context, wake.getLong(NativeBridgeNames.FIELD_DOWNLOAD_ID),
                        wake.getLong(NativeBridgeNames.FIELD_AFTER_MILLIS), false);
            }
        } catch (JSONException unreadable) {
            throw new BridgeException(NativeBridgeNames.KIND_BAD_RESPONSE + ": the wakes could not be read: "
                    + unreadable.getMessage());
        }
    }

    /** Reconciles now (at app start, after boot and after an update). */
    static void reconcileNow(Context context) {
        WorkManager.getInstance(context).enqueueUniqueWork("reconcile", ExistingWorkPolicy.KEEP,
                new OneTimeWorkRequest.Builder(ReconcileWorker.class).build());
    }

    /** Reconciles and verifies every 6 hours, whatever happens to the app. */
    static void scheduleMaintenance(Context context) {
        WorkManager.getInstance(context).enqueueUniquePeriodicWork("maintenance",
                ExistingPeriodicWorkPolicy.KEEP,
                new PeriodicWorkRequest.Builder(ReconcileWorker.class, 6, TimeUnit.HOURS).build());
    }
}
