package net.plexdownloader;

/**
 * Which WorkManager request the queue's one unique work ("queue") gets, and when. The core
 * decides what runs; this class only makes sure exactly one worker carries its decisions
 * out, whoever asks (docs: android/README.md, the walk-through).
 *
 * <ul>
 *   <li>A tap while no run goes on ({@link #runNow}) replaces whatever waits: a worker that
 *       waits for a later time or for a network is not what the user wants now, and no run
 *       is going on to lose (the core says so before this is called). It runs while the app
 *       is on screen, the one moment Android lets it start in the foreground.
 *   <li>A worker whose run ended and wants the next ({@link #runLater}) appends it after
 *       itself (KEEP would drop it while the worker still runs, REPLACE would cancel the
 *       worker itself). If a tap replaced the work after this worker started, the newer
 *       work already carries everything and nothing is appended: a stopped worker chains no
 *       extra step.
 *   <li>App start, boot and the periodic check ({@link #ensureRun}) add a run only if
 *       nothing is scheduled (KEEP): a waiting worker already knows its time.
 * </ul>
 *
 * <p>WorkManager's policies are quoted from ../shared/design/androidChecklist.md 3.1 to 3.3.
 * This class has no android.* imports, so the host JVM tests run it.
 */
final class QueueScheduling {
    /** The unique work name of the queue's worker. */
    static final String UNIQUE_WORK = "queue";

    /** The three WorkManager requests the Android adapter makes. */
    interface WorkRequests {
        /** ExistingWorkPolicy.REPLACE, no delay, any connected network. */
        void replaceNow();

        /** ExistingWorkPolicy.APPEND_OR_REPLACE with a delay (0 for at once) and the network condition. */
        void appendLater(long delayMillis, boolean unmeteredOnly);

        /** ExistingWorkPolicy.KEEP, no delay, any connected network. */
        void keepOrAdd();
    }

    private final WorkRequests requests;
    private long generation;

    QueueScheduling(WorkRequests requests) {
        this.requests = requests;
    }

    /** A worker starts: what it gives back to {@link #runLater} when its run ends. */
    synchronized long workerStarted() {
        return generation;
    }

    /** The core asked for a run and none is going on (after a tap on the screens). */
    synchronized void runNow() {
        generation++;
        requests.replaceNow();
    }

    /**
     * A worker's run ended and the queue wants to run again after {@code delayMillis}, on an
     * unmetered network when {@code unmeteredOnly}. Returns false when newer work replaced
     * this worker's and nothing was added.
     */
    synchronized boolean runLater(long startedAt, long delayMillis, boolean unmeteredOnly) {
        if (generation != startedAt) {
            return false;
        }
        requests.appendLater(Math.max(0, delayMillis), unmeteredOnly);
        return true;
    }

    /** At app start, after boot and from the periodic check: a run unless one is scheduled. */
    synchronized void ensureRun() {
        requests.keepOrAdd();
    }
}
