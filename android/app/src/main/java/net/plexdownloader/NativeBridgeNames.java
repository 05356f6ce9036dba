package net.plexdownloader;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every name the Android host shares with the core and the UI: the fields it reads from
 * answers and writes into requests, options and start settings, how a run of the queue
 * ended, the limits it reports and the failure kinds and actions it writes
 * (docs/bridgeProtocol.md). No other class of the app writes one of these as a string.
 * android/bridge/tests/javaNames.rs checks every constant here against the protocol's types,
 * and fails when one drifts.
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

    // Methods the host calls itself (a player's result).
    static final String METHOD_MARK_WATCHED = "downloads.markWatched";
    static final String METHOD_SET_POSITION = "downloads.setPosition";

    // Fields of requests and answers.
    static final String FIELD_VERSION = "v";
    static final String FIELD_METHOD = "method";
    static final String FIELD_PARAMS = "params";
    static final String FIELD_SECONDS = "seconds";
    static final String FIELD_RESULT = "result";
    static final String FIELD_ID = "id";
    static final String FIELD_ERROR = "error";
    static final String FIELD_KIND = "kind";
    static final String FIELD_MESSAGE = "message";
    static final String FIELD_ACTION = "action";

    // A run of the queue: its options, its report, and the queue's notification.
    static final String FIELD_BUDGET_MILLIS = "budgetMillis";
    static final String FIELD_LINGER_MILLIS = "lingerMillis";
    static final String FIELD_ENDED = "ended";
    static final String FIELD_NEXT_WAKE_MILLIS = "nextWakeMillis";
    static final String FIELD_WIFI_ONLY = "wifiOnly";
    static final String FIELD_ACTIVE = "active";
    static final String FIELD_TITLE = "title";
    static final String FIELD_TEXT = "text";
    static final String FIELD_BYTES_DONE = "bytesDone";
    static final String FIELD_BYTES_TOTAL = "bytesTotal";
    static final String FIELD_SLOWER = "slower";

    // How a run of the queue ended.
    static final String END_IDLE = "idle";
    static final String END_WAITING = "waiting";
    static final String END_WAITING_FOR_NETWORK = "waitingForNetwork";
    static final String END_STOPPED = "stopped";
    static final String END_OUT_OF_TIME = "outOfTime";
    static final String END_ALREADY_RUNNING = "alreadyRunning";
    static final String END_STORAGE_MISSING = "storageMissing";

    // What limits the downloads, as the host reports it.
    static final String LIMIT_NONE = "";
    static final String LIMIT_FOREGROUND_REFUSED = "foregroundRefused";
    static final String LIMIT_DATA_SYNC_TIME_LIMIT = "dataSyncTimeLimit";

    // The start settings given to NativeBridge.init.
    static final String SETTING_DOWNLOAD_DIR = "downloadDir";
    static final String SETTING_STORAGE_CHOICES = "storageChoices";
    static final String SETTING_LABEL = "label";
    static final String SETTING_PATH = "path";

    // Failure kinds (the part of a BridgeException's message before ": ") and actions.
    static final String KIND_IMAGE_NOT_FOUND = "http404";
    static final String KIND_INTERNAL = "internal";
    static final String KIND_NOT_STARTED = "notStarted";
    static final String ACTION_REPORT = "report";

    private static final Pattern REQUEST_ID = Pattern.compile("\"" + FIELD_ID + "\"\\s*:\\s*(\\d+)");

    private NativeBridgeNames() {}

    /** A JSON string literal of {@code text}. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"':
                    out.append("\\\"");
                    break;
                case '\\':
                    out.append("\\\\");
                    break;
                case '\n':
                    out.append("\\n");
                    break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    /** The options of a run of the queue: {@code budgetMillis} (0 for none) and {@code lingerMillis}. */
    static String queueOptions(long budgetMillis, long lingerMillis) {
        return "{" + quote(FIELD_BUDGET_MILLIS) + ":" + (budgetMillis > 0 ? Long.toString(budgetMillis) : "null")
                + "," + quote(FIELD_LINGER_MILLIS) + ":" + lingerMillis + "}";
    }

    /** A bridge request of the host's own (id 0) for {@code method} with {@code params}, a JSON object. */
    static String request(String method, String params) {
        return "{" + quote(FIELD_VERSION) + ":" + VERSION + "," + quote(FIELD_ID) + ":0," + quote(FIELD_METHOD) + ":"
                + quote(method) + "," + quote(FIELD_PARAMS) + ":" + params + "}";
    }

    /** The id of a bridge request (0 when it has none, or is not a request). */
    static long requestId(String request) {
        Matcher id = request == null ? null : REQUEST_ID.matcher(request);
        return id != null && id.find() ? Long.parseLong(id.group(1)) : 0;
    }

    /** An error answer to request {@code id}, for a failure that happened outside the core's answer. */
    static String errorAnswer(long id, String kind, String sentence) {
        return "{\"v\":" + VERSION + "," + quote(FIELD_ID) + ":" + id + "," + quote(FIELD_ERROR) + ":{"
                + quote(FIELD_KIND) + ":" + quote(kind) + "," + quote(FIELD_MESSAGE) + ":" + quote(sentence) + ","
                + quote(FIELD_ACTION) + ":" + quote(ACTION_REPORT) + "}}";
    }

    /**
     * The value of the field {@code name} of a flat JSON object from the core: a string
     * without its quotes, a number or boolean as written; null when the field is absent or
     * null.
     */
    static String field(String json, String name) {
        Matcher found = Pattern.compile(Pattern.quote(quote(name)) + "\\s*:\\s*(\"((?:[^\"\\\\]|\\\\.)*)\"|[^,}\\]]*)")
                .matcher(json == null ? "" : json);
        if (!found.find()) {
            return null;
        }
        if (found.group(2) != null) {
            return unescape(found.group(2));
        }
        String raw = found.group(1).trim();
        return raw.isEmpty() || "null".equals(raw) ? null : raw;
    }

    /** A number field, or {@code fallback} when it is absent or not a number. */
    static long number(String json, String name, long fallback) {
        String value = field(json, name);
        try {
            return value == null ? fallback : Long.parseLong(value);
        } catch (NumberFormatException notANumber) {
            return fallback;
        }
    }

    private static String unescape(String text) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(++i);
            switch (next) {
                case 'n':
                    out.append('\n');
                    break;
                case 't':
                    out.append('\t');
                    break;
                case 'r':
                    out.append('\r');
                    break;
                case 'b':
                    out.append('\b');
                    break;
                case 'f':
                    out.append('\f');
                    break;
                case 'u':
                    if (i + 4 < text.length()) {
                        out.append((char) Integer.parseInt(text.substring(i + 1, i + 5), 16));
                        i += 4;
                    }
                    break;
                default:
                    out.append(next);
            }
        }
        return out.toString();
    }
}
