package net.plexdownloader;

import java.util.function.UnaryOperator;

/**
 * Every call from the page and from the notification's buttons into the core, made safe
 * and followed by the core's wake-now signal.
 *
 * <ul>
 *   <li>Nothing thrown inside reaches Android: an uncaught exception on any thread kills the
 *       app's process. A failure becomes an error answer for the page, with the failure's
 *       kind and sentence, or a logged no-op for a button.
 *   <li>After every request the core may say that the queue must run (a download added,
 *       resumed or retried, a setting changed) while no run is going on; the
 *       {@link QueueStarter} then schedules one. This is the only way a tap on Download
 *       leads to work, so no host can forget it.
 * </ul>
 *
 * <p>This class has no android.* imports, so the host JVM tests run it.
 */
final class CoreCalls {
    /** Schedules a run of the queue now (the Android host: WorkManager's unique queue work). */
    interface QueueStarter {
        void runQueueNow();
    }

    private CoreCalls() {}

    /** Answers a bridge request from the page; never throws. */
    static String answer(String request, QueueStarter starter) {
        return answer(NativeBridge::dispatch, request, starter);
    }

    /** {@link #answer(String, QueueStarter)} with the core call given (the tests give failing ones). */
    static String answer(UnaryOperator<String> core, String request, QueueStarter starter) {
        String answer;
        try {
            answer = core.apply(request);
        } catch (RuntimeException failed) {
            answer = NativeBridgeNames.errorAnswer(NativeBridgeNames.requestId(request), kindOf(failed),
                    sentenceOf(failed));
        }
        startIfAsked(starter);
        return answer;
    }

    /** Schedules a run of the queue if the core asked for one; never throws. */
    static boolean startIfAsked(QueueStarter starter) {
        try {
            if (NativeBridge.takeWakeNow()) {
                starter.runQueueNow();
                return true;
            }
        } catch (RuntimeException failed) {
            // The core is not started, or scheduling failed: there is no run to start, and
            // the next request or the periodic check tries again.
        }
        return false;
    }

    /** The notification's Pause all; returns how many were paused (0 when the core failed). */
    static int pauseAll() {
        try {
            return NativeBridge.pauseAll();
        } catch (RuntimeException failed) {
            return 0;
        }
    }

    /** The notification's Cancel; returns how many were cancelled (0 when the core failed). */
    static int cancelMoving() {
        try {
            return NativeBridge.cancelMoving();
        } catch (RuntimeException failed) {
            return 0;
        }
    }

    /** The next pushed event for the page, or "" when nothing changed or the core failed. */
    static String nextPush(long timeoutMs) {
        try {
            return NativeBridge.nextPush(timeoutMs);
        } catch (RuntimeException failed) {
            return "";
        }
    }

    static String kindOf(RuntimeException failed) {
        if (failed instanceof BridgeException) {
            String kind = ((BridgeException) failed).kind();
            if (!BridgeException.UNKNOWN_KIND.equals(kind)) {
                return kind;
            }
        }
        return NativeBridgeNames.KIND_INTERNAL;
    }

    static String sentenceOf(RuntimeException failed) {
        if (failed instanceof BridgeException) {
            return ((BridgeException) failed).sentence();
        }
        return "The app failed inside (" + failed.getClass().getSimpleName() + "). Try again; if it happens again, "
                + "send the diagnostics.";
    }
}
