package net.plexdownloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The queue's worker logic on the host JVM, against the real JNI library and the replay
 * server: CoreCalls (a tap, its answer, the wake), QueueScheduling (which WorkManager request)
 * and QueueRun (one worker's run and what it schedules). WorkManager itself is played by
 * {@link FakeWorkManager}: it records the requests and runs the queue's worker for a request
 * that runs at once, as WorkManager would on a phone.
 */
class QueueWorkerTest {
    /** Records the requests; runs a worker on its own thread for each one made to run now. */
    static final class FakeWorkManager implements QueueScheduling.WorkRequests {
        final List<String> requests = new ArrayList<>();
        final AtomicReference<Future<QueueRun.Outcome>> worker = new AtomicReference<>();
        final ExecutorService thread = Executors.newSingleThreadExecutor();
        QueueScheduling scheduling;
        boolean runWorkers = true;

        @Override
        public synchronized void replaceNow() {
            requests.add("replace");
            if (runWorkers) {
                worker.set(thread.submit(() -> new QueueRun(scheduling).run(7001, () -> true)));
            }
        }

        @Override
        public synchronized void appendLater(long delayMillis, boolean unmeteredOnly) {
            requests.add("append " + delayMillis + (unmeteredOnly ? " unmetered" : ""));
        }

        @Override
        public synchronized void keepOrAdd() {
            requests.add("keep");
        }

        synchronized List<String> seen() {
            return new ArrayList<>(requests);
        }
    }

    private FakeWorkManager work;
    private QueueScheduling scheduling;

    @BeforeAll
    static void start() throws Exception {
        HostCore.start();
    }

    @BeforeEach
    void freshScheduler() {
        work = new FakeWorkManager();
        scheduling = new QueueScheduling(work);
        work.scheduling = scheduling;
        // A wake left by another test class is not this test's.
        NativeBridge.takeWakeNow();
    }

    @Test
    void aTapOnDownloadRunsTheQueueWithoutAnyOtherCall() throws Exception {
        String answer = CoreCalls.answer(HostCore.enqueueRequest("55"), scheduling::runNow);
        long id = HostCore.firstId(answer);
        assertEquals(List.of("replace"), work.seen(), "the tap asked WorkManager for the queue's worker");
        QueueRun.Outcome outcome = work.worker.get().get(60, TimeUnit.SECONDS);
        assertTrue(outcome.foreground);
        assertEquals(NativeBridgeNames.END_IDLE, outcome.ended);
        assertFalse(outcome.scheduled, "nothing left to schedule");
        assertEquals("completed", HostCore.status(id));
        File file = new File(NativeBridge.finishedFile(id));
        assertEquals(HostCore.FILE_SIZE, file.length(), file.toString());
        assertTrue(file.toPath().startsWith(HostCore.dataDir()), "inside the app's folder: " + file);
        // A request that changes nothing to run schedules nothing.
        CoreCalls.answer(HostCore.request("downloads.list", "{}"), scheduling::runNow);
        assertEquals(List.of("replace"), work.seen());
    }

    @Test
    void aPlayersResultIsRecordedOnTheDownload() throws Exception {
        long id = HostCore.firstId(CoreCalls.answer(HostCore.enqueueRequest("91"), scheduling::runNow));
        work.worker.get().get(60, TimeUnit.SECONDS);
        assertEquals("completed", HostCore.status(id));
        // VLC stopped at 21 min 5.9 s.
        String stopped = CoreCalls.answer(PlayerResult.request(id, PlayerResult.RESULT_OK, null, 1_265_900L, null),
                scheduling::runNow);
        assertFalse(stopped.contains("\"error\""), stopped);
        assertEquals("1265", HostCore.field(HostCore.download(id), "positionSeconds"));
        assertEquals("false", HostCore.field(HostCore.download(id), "watched"));
        // MX Player played it to the end.
        String ended = CoreCalls.answer(PlayerResult.request(id, PlayerResult.RESULT_OK, 2_400_000, null,
                PlayerResult.MX_END_BY_COMPLETION), scheduling::runNow);
        assertFalse(ended.contains("\"error\""), ended);
        assertEquals("true", HostCore.field(HostCore.download(id), "watched"));
        // A player that failed, or said nothing usable, records nothing.
        assertNull(PlayerResult.request(id, 0, 600_000, null, null));
        assertNull(PlayerResult.request(id, PlayerResult.RESULT_OK, null, null, null));
        assertNull(PlayerResult.request(id, PlayerResult.RESULT_OK, 0, null, "user"));
        assertNull(PlayerResult.request(id, PlayerResult.RESULT_OK, -1, -1L, null));
        assertNull(PlayerResult.request(-1, PlayerResult.RESULT_OK, 600_000, null, null), "no download was playing");
    }

    @Test
    void oneRunTakesSeveralDownloadsToTheEndWithinTheSlotLimit() throws Exception {
        work.runWorkers = false;
        // One transfer at a time, so that the limit shows while the run goes on.
        HostCore.call("settings.set", "{\"maxTransfers\":1}");
        long first = HostCore.firstId(CoreCalls.answer(HostCore.enqueueRequest("57"), scheduling::runNow));
        long second = HostCore.firstId(CoreCalls.answer(HostCore.enqueueRequest("108"), scheduling::runNow));
        assertEquals(List.of("replace", "replace"), work.seen(),
                "each tap replaces the worker that has not started (the setting's wake went with the first)");
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<QueueRun.Outcome> run = thread.submit(() -> new QueueRun(scheduling).run(7002, () -> true));
        int most = 0;
        while (!run.isDone()) {
            String list = HostCore.call("downloads.list", "{}");
            int moving = list.split("\"status\":\"transferring\"[^}]*\"waitingForSlot\":false", -1).length - 1;
            most = Math.max(most, moving);
            Thread.sleep(100);
        }
        QueueRun.Outcome outcome = run.get();
        thread.shutdown();
        HostCore.call("settings.set", "{\"maxTransfers\":2}");
        assertEquals(NativeBridgeNames.END_IDLE, outcome.ended);
        assertEquals("completed", HostCore.status(first));
        assertEquals("completed", HostCore.status(second));
        assertEquals(1, most, "one transfer moved bytes at a time");
    }

    @Test
    void aStopReachesOnlyItsRunEndsWithinFiveSecondsAndKeepsTheProgress() throws Exception {
        work.runWorkers = false;
        long id = HostCore.firstId(CoreCalls.answer(HostCore.enqueueRequest("56"), scheduling::runNow));
        ExecutorService thread = Executors.newSingleThreadExecutor();
        Future<QueueRun.Outcome> run = thread.submit(() -> new QueueRun(scheduling).run(7003, () -> true));
        HostCore.waitForBytes(id);
        // The stop of another run (an old worker's late onStopped) does not reach this one.
        QueueRun.stopped(7999, false);
        Thread.sleep(700);
        assertFalse(run.isDone(), "another run's stop ended this one");
        assertEquals("transferring", HostCore.status(id), "still moving");
        long asked = System.nanoTime();
        QueueRun.stopped(7003, false);
        QueueRun.Outcome outcome = run.get(10, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - asked) / 1_000_000;
        thread.shutdown();
        assertTrue(tookMs < 5000, "the run ended " + tookMs + " ms after the stop");
        assertEquals(NativeBridgeNames.END_STOPPED, outcome.ended);
        assertTrue(outcome.scheduled, "the rest is scheduled");
        assertEquals(0, outcome.delayMillis);
        assertEquals(List.of("replace", "append 0"), work.seen());
        long kept = HostCore.bytesDone(id);
        assertTrue(kept > 0 && kept < HostCore.FILE_SIZE, "progress kept: " + kept);
        assertEquals(NativeBridgeNames.END_IDLE, new QueueRun(scheduling).run(7004, () -> true).ended);
        assertEquals("completed", HostCore.status(id));
    }

    @Test
    void aRefusedForegroundRunsInTurnsAndTheScreenSaysWhy() throws Exception {
        work.runWorkers = false;
        long id = HostCore.firstId(CoreCalls.answer(HostCore.enqueueRequest("90"), scheduling::runNow));
        // A two-second turn stands for ordinary work's ten minutes.
        QueueRun.Outcome turn = new QueueRun(scheduling, 2000).run(7005, () -> false);
        assertFalse(turn.foreground);
        assertEquals(NativeBridgeNames.END_OUT_OF_TIME, turn.ended);
        assertTrue(turn.scheduled);
        assertEquals(0, turn.delayMillis, "the next turn at once");
        long kept = HostCore.bytesDone(id);
        assertTrue(kept > 0 && kept < HostCore.FILE_SIZE, "the turn saved its bytes: " + kept);
        String background = HostCore.call("downloads.background", "{}");
        assertTrue(background.contains("short turns"), background);
        assertTrue(NativeBridge.queueProgress().contains("short turns"), "the notification says it too");
        // Android 15's daily limit: the stop says so, and it stays the reason while refused.
        QueueRun.stopped(7006, true);
        new QueueRun(scheduling, 1000).run(7007, () -> false);
        assertTrue(HostCore.call("downloads.background", "{}").contains("6 hours a day"));
        // The app on screen again: a foreground run ends it, and the reason goes.
        QueueRun.Outcome full = new QueueRun(scheduling).run(7008, () -> true);
        assertEquals(NativeBridgeNames.END_IDLE, full.ended);
        assertEquals("completed", HostCore.status(id));
        assertFalse(HostCore.call("downloads.background", "{}").contains("slower"));
    }

    @Test
    void aWorkerReplacedByANewerRunChainsNothing() throws Exception {
        long startedAt = scheduling.workerStarted();
        scheduling.runNow();
        assertFalse(scheduling.runLater(startedAt, 0, false), "the newer work carries everything");
        assertTrue(scheduling.runLater(scheduling.workerStarted(), 5000, true));
        scheduling.ensureRun();
        assertEquals(List.of("replace", "append 5000 unmetered", "keep"), work.seen());
    }

    @Test
    void failuresBecomeErrorAnswersAndNothingThrows() {
        String request = "{\"v\":1,\"id\":42,\"method\":\"downloads.list\",\"params\":{}}";
        String panic = CoreCalls.answer(r -> {
            throw new BridgeException("panic: broken \"on purpose\"");
        }, request, scheduling::runNow);
        assertEquals("{\"v\":1,\"id\":42,\"error\":{\"kind\":\"panic\",\"message\":\"broken \\\"on purpose\\\"\","
                + "\"action\":\"report\"}}", panic);
        String other = CoreCalls.answer(r -> {
            throw new IllegalStateException("x");
        }, "not json", scheduling::runNow);
        assertEquals("internal", NativeBridgeNames.field(other, NativeBridgeNames.FIELD_KIND));
        assertEquals("0", NativeBridgeNames.field(other, NativeBridgeNames.FIELD_ID));
        assertEquals("a \"b\"\nc \u00e9", NativeBridgeNames.field("{\"text\":\"a \\\"b\\\"\\nc \\u00e9\"}", "text"));
        assertNull(NativeBridgeNames.field("{\"nextWakeMillis\":null}", "nextWakeMillis"));
        assertEquals(-1, NativeBridgeNames.number("{}", "nextWakeMillis", -1));
    }
}
