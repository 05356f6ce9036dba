package net.plexdownloader;

/**
 * One worker's run of the core's queue, and what it schedules after. The worker only adapts
 * this to WorkManager; every decision is here or in the core.
 *
 * <ul>
 *   <li>The worker asks once to run in the foreground. Granted (the app was on screen when
 *       the work started): the run has no time limit and waits inside for downloads due
 *       within {@link #FOREGROUND_LINGER_MILLIS}, so that it keeps its foreground status
 *       instead of ending and being refused it next time. Refused (Android 12 and later
 *       refuse a foreground start from the background; androidChecklist.md 1.9, 1.10): the
 *       run is ordinary work, which Android stops after 10 minutes (1.14), so it ends by
 *       itself after {@link #LIMITED_BUDGET_MILLIS} with every step saved, asks for its next
 *       turn at once, and the core is told why downloads are slower, which the Downloads
 *       screen and the notification say.
 *   <li>After the run: the core's report says when to run again (a time, a network the
 *       user allows, at once after a stop or a used budget, or never).
 *   <li>A stop from WorkManager reaches only this run ({@link #stopped}); Android 15's
 *       6-hour daily limit for foreground data transfers (1.7, 1.8) is reported to the core as
 *       the reason, and the run's report asks for the next turn, so the queue goes on as
 *       ordinary work instead of stalling.
 * </ul>
 *
 * <p>This class has no android.* imports, so the host JVM tests run it.
 */
final class QueueRun {
    /** Ordinary work gets 10 minutes; the run ends a minute before, its steps saved. */
    static final long LIMITED_BUDGET_MILLIS = 9 * 60 * 1000L;
    /** A foreground run waits inside for downloads due within two minutes. */
    static final long FOREGROUND_LINGER_MILLIS = 2 * 60 * 1000L;
    /** An ordinary run waits inside for downloads due within a minute (within its budget). */
    static final long LIMITED_LINGER_MILLIS = 60 * 1000L;
    /** After the core failed to run the queue at all, the next try. */
    static final long AFTER_FAILURE_MILLIS = 60 * 1000L;

    /** What the worker does for the run. */
    interface Worker {
        /** Asks Android to run in the foreground with the queue's notification; false when refused. */
        boolean becomeForeground();
    }

    /** What the run did. */
    static final class Outcome {
        final boolean foreground;
        /** How the core's run ended (a {@code NativeBridgeNames.END_*}), or null when it failed. */
        final String ended;
        /** Whether a next run was scheduled, and after how long. */
        final boolean scheduled;
        final long delayMillis;

        Outcome(boolean foreground, String ended, boolean scheduled, long delayMillis) {
            this.foreground = foreground;
            this.ended = ended;
            this.scheduled = scheduled;
            this.delayMillis = delayMillis;
        }
    }

    private final QueueScheduling scheduling;
    private final long limitedBudgetMillis;

    QueueRun(QueueScheduling scheduling) {
        this(scheduling, LIMITED_BUDGET_MILLIS);
    }

    /** With another budget for ordinary runs (the host tests use seconds). */
    QueueRun(QueueScheduling scheduling, long limitedBudgetMillis) {
        this.scheduling = scheduling;
        this.limitedBudgetMillis = limitedBudgetMillis;
    }

    /** Runs the queue for one worker on the calling thread; never throws. */
    Outcome run(long handle, Worker worker) {
        long startedAt = scheduling.workerStarted();
        boolean foreground = worker.becomeForeground();
        String report;
        try {
            NativeBridge.setBackgroundLimit(
                    foreground ? NativeBridgeNames.LIMIT_NONE : NativeBridgeNames.LIMIT_FOREGROUND_REFUSED);
            report = NativeBridge.runQueue(handle, foreground
                    ? NativeBridgeNames.queueOptions(0, FOREGROUND_LINGER_MILLIS)
                    : NativeBridgeNames.queueOptions(limitedBudgetMillis,
                            Math.min(LIMITED_LINGER_MILLIS, limitedBudgetMillis)));
        } catch (RuntimeException failed) {
            if (NativeBridgeNames.KIND_NOT_STARTED.equals(CoreCalls.kindOf(failed))) {
                // The app could not start (the screens say why); opening it again tries.
                return new Outcome(foreground, null, false, 0);
            }
            // The core logged why; the queue is tried again later, never in a tight loop.
            boolean scheduled = scheduling.runLater(startedAt, AFTER_FAILURE_MILLIS, false);
            return new Outcome(foreground, null, scheduled, AFTER_FAILURE_MILLIS);
        }
        String ended = NativeBridgeNames.field(report, NativeBridgeNames.FIELD_ENDED);
        boolean unmeteredOnly = Boolean.parseBoolean(NativeBridgeNames.field(report, NativeBridgeNames.FIELD_WIFI_ONLY));
        long next = NativeBridgeNames.number(report, NativeBridgeNames.FIELD_NEXT_WAKE_MILLIS, -1);
        long delay;
        if (NativeBridgeNames.END_WAITING_FOR_NETWORK.equals(ended)) {
            // The network condition holds the next run until a network the user allows is back.
            delay = 0;
        } else if (NativeBridgeNames.END_OUT_OF_TIME.equals(ended)) {
            delay = 0;
        } else if (NativeBridgeNames.END_WAITING.equals(ended) || NativeBridgeNames.END_STOPPED.equals(ended)) {
            if (next < 0) {
                return new Outcome(foreground, ended, false, 0);
            }
            delay = next;
        } else {
            // Idle, storage missing (the periodic check and opening the app look again), or
            // another run carries on.
            return new Outcome(foreground, ended, false, 0);
        }
        boolean scheduled = scheduling.runLater(startedAt, delay, unmeteredOnly);
        return new Outcome(foreground, ended, scheduled, delay);
    }

    /** WorkManager stopped the worker of the run {@code handle}; never throws. */
    static void stopped(long handle, boolean dataSyncTimeLimit) {
        try {
            if (dataSyncTimeLimit) {
                NativeBridge.setBackgroundLimit(NativeBridgeNames.LIMIT_DATA_SYNC_TIME_LIMIT);
            }
            NativeBridge.stopQueueRun(handle);
        } catch (RuntimeException failed) {
            // Nothing runs in the core, so nothing needs stopping.
        }
    }

    /** The network changed; never throws. */
    static void networkChanged(boolean connected, boolean unmetered) {
        try {
            NativeBridge.networkChanged(connected, unmetered);
        } catch (RuntimeException failed) {
            // The core is not started; it learns the network at the next run.
        }
    }
}
