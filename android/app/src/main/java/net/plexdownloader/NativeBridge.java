package net.plexdownloader;

/**
 * The Rust core, as static methods. Every method is a thin pipe into the library
 * {@code libplexdl_android.so}; every failure inside it, including a panic, arrives here as a
 * {@link BridgeException}.
 *
 * <p>This class has no android.* imports on purpose: the host JVM tests call the same class.
 */
public final class NativeBridge {
    static {
        System.loadLibrary("plexdl_android");
    }

    private NativeBridge() {}

    /**
     * Opens the core on a data folder. Call once per process, before anything else.
     *
     * @param dataDir the app's private files folder
     * @param settingsJson {@code {"downloadDir": ...}}; may be empty
     */
    public static native void init(String dataDir, String settingsJson);

    /** Answers one bridge request from the UI (JSON in, JSON out; never throws for bad input). */
    public static native String dispatch(String requestJson);

    /**
     * Runs the core's queue on the calling thread: every due download, within the transfer
     * slots, until nothing is due for longer than the run may linger, the run is stopped or
     * its budget is used. Returns a {@code QueueRunReport} as JSON ({@code {"ended": ...,
     * "nextWakeMillis": ..., "wifiOnly": ..., "steps": ..., "failedSteps": ...}}).
     *
     * @param handle a number that names this run (unique per worker run); {@link #stopQueueRun} with
     *     it reaches this run only
     * @param optionsJson {@code {"budgetMillis": N, "lingerMillis": N}}; either may be left out
     */
    public static native String runQueue(long handle, String optionsJson);

    /** Asks the run with this handle to save its progress and return (also before it started). */
    public static native void stopQueueRun(long handle);

    /**
     * True once after the core asked for the queue to run while no run was going on: the
     * caller must schedule one. A run in progress carries such a wake out itself.
     */
    public static native boolean takeWakeNow();

    /** The network as the host sees it (the core applies Wi-Fi only to it at every step). */
    public static native void networkChanged(boolean connected, boolean unmetered);

    /** What limits the downloads now, by its protocol name ({@code ""} for nothing). */
    public static native void setBackgroundLimit(String limit);

    /** The queue's notification as JSON: {@code {"active", "title", "text", "bytesDone", "bytesTotal"}}. */
    public static native String queueProgress();

    /** Pauses every download that wants work; returns how many. */
    public static native int pauseAll();

    /** Cancels the downloads that move bytes now (the ones the notification names); returns how many. */
    public static native int cancelMoving();

    /** Checks every finished file and repairs the manifest; returns the report as JSON. */
    public static native String verify();

    /** The next event for the UI (JSON), waiting up to timeoutMs; empty when nothing changed. */
    public static native String nextPush(long timeoutMs);

    /** A server image, fetched with the token added natively; throws with kind http404 or http502. */
    public static native byte[] thumbnail(String serverId, String path, int width, int height);

    /** The full path of a finished download's file; throws with kind notFinished before then. */
    public static native String finishedFile(long downloadId);

    /**
     * Panics inside the library on purpose. Only libraries built with the {@code test-hooks}
     * feature have it (the host tests); elsewhere the call throws UnsatisfiedLinkError.
     */
    public static native void panicForTest(String message);
}
