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
     * Runs one step of a download on the calling thread until it ends, checkpoints or is
     * stopped. Returns {@code {"next":"wakeAfter","millis":N}}, {@code {"next":"idle","status":...}}
     * or {@code {"next":"waitForNetwork"}}.
     *
     * @param stopHandle any number that names this run in the logs (the worker's id)
     */
    public static native String runStep(long downloadId, long stopHandle);

    /** Asks the running step of a download to save its progress and return. */
    public static native void requestStop(long downloadId);

    /** Compares the manifest with the files; returns {@code [{"downloadId":1,"afterMillis":0}]}. */
    public static native String reconcile();

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
