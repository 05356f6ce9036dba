package net.plexdownloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every native method of {@link NativeBridge}, called from a JVM on the build machine with the
 * library built for it, against the replay Plex server (which also plays plex.tv). The same
 * class the Android app uses is under test; only the library's target differs.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeBridgeTest {
    private static final String SERVER = "5e1f0c9d4a3b2e7c8d6a5f4e3d2c1b0a9f8e7d6c";
    private static Process replay;
    private static String token;
    private static Path dataDir;

    @BeforeAll
    static void start() throws Exception {
        Path work = Files.createTempDirectory("plexdl-jni-test");
        Path scenario = work.resolve("scenario.json");
        // The PIN is confirmed at the first poll; part files come at 2 MB/s, so a stop can
        // arrive in the middle of a transfer.
        Files.writeString(scenario, "{\"pinLinkAfterPolls\": 1, \"faults\": [{\"path\": \"/library/parts/\", "
                + "\"method\": \"GET\", \"fault\": {\"kind\": \"throttle\", \"bytesPerSecond\": 2000000}}]}");
        replay = new ProcessBuilder(System.getProperty("plexdl.replay"), "--scenario", scenario.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        BufferedReader lines = new BufferedReader(new InputStreamReader(replay.getInputStream(), StandardCharsets.UTF_8));
        String[] first = lines.readLine().split(" ");
        String url = first[0];
        token = first[1];
        dataDir = work.resolve("data");
        NativeBridge.init(dataDir.toString(),
                "{\"plexTv\": \"" + url + "\", \"allowPlainHttpRemote\": true}");
    }

    @AfterAll
    static void stop() {
        replay.destroyForcibly();
    }

    private static String call(String method, String params) {
        return NativeBridge.dispatch("{\"v\":1,\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}");
    }

    /** A field of the answer's result (or of the whole text when it is not an answer). */
    private static String field(String json, String name) {
        int result = json.indexOf("\"result\":");
        Matcher found = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}\\]]*)")
                .matcher(result >= 0 ? json.substring(result) : json);
        assertTrue(found.find(), name + " in " + json);
        return found.group(1).replace("\"", "");
    }

    private static long enqueue(String ratingKey) {
        String answer = call("downloads.enqueue",
                "{\"serverId\":\"" + SERVER + "\",\"ratingKeys\":[\"" + ratingKey + "\"],\"quality\":\"original\"}");
        Matcher id = Pattern.compile("\"ids\":\\[(\\d+)").matcher(answer);
        assertTrue(id.find(), answer);
        return Long.parseLong(id.group(1));
    }

    private static String download(long id) {
        return call("downloads.list", "{}").replaceAll(".*(\\{\"id\":" + id + ",[^}]*\\}).*", "$1");
    }

    /** Runs steps the way DownloadWorker does until the download rests; returns its state. */
    private static String runToRest(long id) throws InterruptedException {
        for (int step = 0; step < 200; step++) {
            String result = NativeBridge.runStep(id, 7);
            switch (field(result, "next")) {
                case "idle":
                    return field(result, "status");
                case "wakeAfter":
                    Thread.sleep(Math.min(Long.parseLong(field(result, "millis")), 2000));
                    break;
                default:
                    Thread.sleep(500);
            }
        }
        return "still running";
    }

    @Test
    @Order(1)
    void signInThroughThePinReadsTheServers() throws Exception {
        assertEquals("false", field(call("signIn.status", "{}"), "signedIn"));
        String pin = call("signIn.start", "{}");
        String pinId = field(pin, "id");
        String linked = call("signIn.poll", "{\"pinId\":" + pinId + "}");
        assertEquals("true", field(linked, "signedIn"), linked);
        String servers = call("servers.list", "{}");
        assertTrue(servers.contains(SERVER), servers);
        assertFalse(servers.contains(token), "no token in what the UI gets");
    }

    @Test
    @Order(2)
    void aWholeDownloadRunsThroughRunStep() throws Exception {
        long id = enqueue("55");
        assertEquals("completed", runToRest(id));
        File file = new File(NativeBridge.finishedFile(id));
        assertEquals(13400382L, file.length(), file.toString());
        assertTrue(file.toPath().startsWith(dataDir), "inside the app's folder: " + file);
        assertEquals("13400382", field(download(id), "bytesDone"));
    }

    @Test
    @Order(3)
    void aStopRequestEndsTheStepMidTransferAndTheDownloadResumes() throws Exception {
        long id = enqueue("56");
        ExecutorService worker = Executors.newSingleThreadExecutor();
        // One step runs pre-flight and then the transfer, on the worker's thread.
        Future<String> step = worker.submit(() -> NativeBridge.runStep(id, 9));
        long waited = 0;
        while (Long.parseLong(field(download(id), "bytesDone")) == 0 && waited < 20000) {
            Thread.sleep(100);
            waited += 100;
        }
        Thread.sleep(1500);
        long asked = System.nanoTime();
        NativeBridge.requestStop(id);
        String result = step.get(10, TimeUnit.SECONDS);
        long tookMs = (System.nanoTime() - asked) / 1_000_000;
        worker.shutdown();
        assertTrue(tookMs < 5000, "the step ended " + tookMs + " ms after the stop");
        assertEquals("wakeAfter", field(result, "next"), result);
        long kept = Long.parseLong(field(download(id), "bytesDone"));
        assertTrue(kept > 0 && kept < 13400382L, "progress kept: " + kept);
        assertEquals("completed", runToRest(id));
    }

    @Test
    @Order(4)
    void reconcileVerifyAndPushesAnswerJson() {
        assertTrue(NativeBridge.reconcile().startsWith("["));
        String report = NativeBridge.verify();
        assertEquals("2", field(report, "checked"), report);
        String push = NativeBridge.nextPush(1000);
        assertTrue(push.contains("\"event\":\"downloads\""), push);
        assertTrue(push.contains("\"event\":\"signIn\"") || NativeBridge.nextPush(1000).contains("\"event\":\"signIn\""));
        assertEquals("", NativeBridge.nextPush(300), "nothing changed since");
    }

    @Test
    @Order(5)
    void thumbnailsComeWithTheTokenAddedNatively() {
        byte[] image = NativeBridge.thumbnail(SERVER, "/library/metadata/55/thumb/1579514152", 100, 150);
        assertTrue(image.length > 8);
        assertEquals((byte) 0x89, image[0]);
        assertEquals((byte) 'P', image[1]);
        BridgeException missing = assertThrows(BridgeException.class,
                () -> NativeBridge.thumbnail("no-such-server", "/x", 10, 10));
        assertEquals("http404", missing.kind());
    }

    @Test
    @Order(6)
    void errorsAndPanicsBecomeOneExceptionAndTheLibraryKeepsWorking() {
        BridgeException panic = assertThrows(BridgeException.class,
                () -> NativeBridge.panicForTest("broken on purpose X-Plex-Token=" + token));
        assertEquals("panic", panic.kind());
        assertTrue(panic.sentence().contains("broken on purpose"), panic.getMessage());
        assertFalse(panic.getMessage().contains(token), "the token is redacted: " + panic.getMessage());

        BridgeException unfinished = assertThrows(BridgeException.class, () -> NativeBridge.finishedFile(4242));
        assertEquals("noSuchDownload", unfinished.kind());
        BridgeException otherFolder = assertThrows(BridgeException.class,
                () -> NativeBridge.init(dataDir.resolve("elsewhere").toString(), ""));
        assertEquals("badRequest", otherFolder.kind());
        assertThrows(BridgeException.class, () -> NativeBridge.runStep(4242, 1));

        String answer = NativeBridge.dispatch("not json");
        assertTrue(answer.contains("\"kind\":\"badRequest\""), answer);
        assertTrue(call("downloads.list", "{}").contains("\"status\":\"completed\""), "still answering");
    }
}
