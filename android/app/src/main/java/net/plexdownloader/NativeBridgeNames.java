package net.plexdownloader;

/**
 * Every name the Android host shares with the core and the UI: the bridge methods it calls,
 * the fields it reads from answers and writes into requests and start settings, the step
 * results and failure kinds it acts on (docs/bridgeProtocol.md). No other class of the app
 * writes one of these as a string. android/bridge/tests/javaNames.rs checks every constant
 * here against the protocol's types, and fails when one drifts.
 *
 * <p>This class has no android.* imports, so the host JVM tests compile it too.
 */
final class NativeBridgeNames {
    /** The object the WebView offers to the UI's origin. */
    static final String OBJECT = "plexdlBridge";
    /** A host message (not a bridge request) asking to play a finished download: {"play":ID}. */
    static final String PLAY_PREFIX = "{\"play\":";
    /** The bridge protocol version in every request. */
    static final int VERSION = 1;

    // Bridge methods.
    static final String METHOD_DOWNLOADS_LIST = "downloads.list";
    static final String METHOD_DOWNLOADS_PAUSE = "downloads.pause";
    static final String METHOD_DOWNLOADS_CANCEL = "downloads.cancel";
    static final String METHOD_SETTINGS_GET = "settings.get";

    // Fields of requests and answers.
    static final String FIELD_RESULT = "result";
    static final String FIELD_ID = "id";
    static final String FIELD_TITLE = "title";
    static final String FIELD_PHASE = "phase";
    static final String FIELD_BYTES_DONE = "bytesDone";
    static final String FIELD_BYTES_TOTAL = "bytesTotal";
    static final String FIELD_SETTINGS = "settings";
    static final String FIELD_WIFI_ONLY = "wifiOnly";

    // What runStep answers ({"next": ...}) and what reconcile answers ([{"downloadId": ...}]).
    static final String FIELD_NEXT = "next";
    static final String FIELD_MILLIS = "millis";
    static final String NEXT_WAKE_AFTER = "wakeAfter";
    static final String NEXT_WAIT_FOR_NETWORK = "waitForNetwork";
    static final String FIELD_DOWNLOAD_ID = "downloadId";
    static final String FIELD_AFTER_MILLIS = "afterMillis";

    // The start settings given to NativeBridge.init.
    static final String SETTING_DOWNLOAD_DIR = "downloadDir";
    static final String SETTING_STORAGE_CHOICES = "storageChoices";
    static final String SETTING_LABEL = "label";
    static final String SETTING_PATH = "path";

    // Failure kinds (the part of a BridgeException's message before ": ").
    static final String KIND_IMAGE_NOT_FOUND = "http404";
    static final String KIND_BAD_RESPONSE = "badResponse";

    private NativeBridgeNames() {}

    /** A bridge request for {@code method} with {@code paramsJson} (a JSON object). */
    static String request(String method, String paramsJson) {
        return "{\"v\":" + VERSION + ",\"" + FIELD_ID + "\":0,\"method\":\"" + method + "\",\"params\":"
                + paramsJson + "}";
    }

    /** A bridge request naming one download: {@code {"id": downloadId}}. */
    static String downloadRequest(String method, long downloadId) {
        return request(method, "{\"" + FIELD_ID + "\":" + downloadId + "}");
    }
}
