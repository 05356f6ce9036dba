package net.plexdownloader;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one core of the test JVM (the library opens one per process, as on a phone), started
 * on a temporary folder against the replay Plex server, which also plays plex.tv. Part files
 * come at 4 MB/s, so that a stop can arrive in the middle of a transfer.
 */
final class HostCore {
    static final String SERVER = "5e1f0c9d4a3b2e7c8d6a5f4e3d2c1b0a9f8e7d6c";
    static final long FILE_SIZE = 13400382L;
    private static Process replay;
    private static String token;
    private static Path dataDir;

    private HostCore() {}

    static synchronized void start() throws Exception {
        if (replay != null) {
            return;
        }
        Path work = Files.createTempDirectory("plexdl-jni-test");
        Path scenario = work.resolve("scenario.json");
        Files.writeString(scenario, "{\"pinLinkAfterPolls\": 1, \"faults\": [{\"path\": \"/library/parts/\", "
                + "\"method\": \"GET\", \"fault\": {\"kind\": \"throttle\", \"bytesPerSecond\": 4000000}}]}");
        replay = new ProcessBuilder(System.getProperty("plexdl.replay"), "--scenario", scenario.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        Runtime.getRuntime().addShutdownHook(new Thread(replay::destroyForcibly));
        BufferedReader lines = new BufferedReader(new InputStreamReader(replay.getInputStream(), StandardCharsets.UTF_8));
        String[] first = lines.readLine().split(" ");
        String url = first[0];
        token = first[1];
        dataDir = work.resolve("data");
        NativeBridge.init(dataDir.toString(), "{\"plexTv\": \"" + url + "\", \"allowPlainHttpRemote\": true}");
        String pin = call("signIn.start", "{}");
        String linked = call("signIn.poll", "{\"pinId\":" + field(pin, "id") + "}");
        assertTrue(linked.contains("\"signedIn\":true"), linked);
    }

    static String token() {
        return token;
    }

    static Path dataDir() {
        return dataDir;
    }

    static String request(String method, String params) {
        return "{\"v\":1,\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
    }

    static String call(String method, String params) {
        return NativeBridge.dispatch(request(method, params));
    }

    /** A field of the answer's result (or of the whole text when it is not an answer). */
    static String field(String json, String name) {
        int result = json.indexOf("\"result\":");
        Matcher found = Pattern.compile("\"" + name + "\":(\"[^\"]*\"|[^,}\\]]*)")
                .matcher(result >= 0 ? json.substring(result) : json);
        assertTrue(found.find(), name + " in " + json);
        return found.group(1).replace("\"", "");
    }

    static String enqueueRequest(String ratingKey) {
        return request("downloads.enqueue",
                "{\"serverId\":\"" + SERVER + "\",\"ratingKeys\":[\"" + ratingKey + "\"],\"quality\":\"original\"}");
    }

    /** The first id in an enqueue answer. */
    static long firstId(String answer) {
        Matcher id = Pattern.compile("\"ids\":\\[(\\d+)").matcher(answer);
        assertTrue(id.find(), answer);
        return Long.parseLong(id.group(1));
    }

    static String download(long id) {
        return call("downloads.list", "{}").replaceAll(".*(\\{\"id\":" + id + ",[^}]*\\}).*", "$1");
    }

    static long bytesDone(long id) {
        return Long.parseLong(field(download(id), "bytesDone"));
    }

    static String status(long id) {
        return field(download(id), "status");
    }

    /** Waits until the download has bytes. */
    static void waitForBytes(long id) throws InterruptedException {
        long waited = 0;
        while (bytesDone(id) == 0 && waited < 20000) {
            Thread.sleep(50);
            waited += 50;
        }
        assertTrue(bytesDone(id) > 0, "bytes arrived for " + id);
    }
}
