package net.plexdownloader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The native methods of {@link NativeBridge} that the screens use, called from a JVM on the
 * build machine with the library built for it, against the replay Plex server (which also
 * plays plex.tv). The same class the Android app uses is under test; only the library's
 * target differs. The queue's methods are tested through the worker's plain classes, in
 * QueueWorkerTest.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NativeBridgeTest {
    @BeforeAll
    static void start() throws Exception {
        HostCore.start();
    }

    private static String call(String method, String params) {
        return HostCore.call(method, params);
    }

    private static String field(String json, String name) {
        return HostCore.field(json, name);
    }

    @Test
    @Order(1)
    void signInThroughThePinReadsTheServers() {
        assertEquals("true", field(call("signIn.status", "{}"), "signedIn"));
        String servers = call("servers.list", "{}");
        assertTrue(servers.contains(HostCore.SERVER), servers);
        assertFalse(servers.contains(HostCore.token()), "no token in what the UI gets");
    }

    @Test
    @Order(4)
    void verifyAndPushesAnswerJson() {
        String report = NativeBridge.verify();
        assertTrue(Long.parseLong(field(report, "checked")) >= 0, report);
        String push = NativeBridge.nextPush(1000);
        assertTrue(push.contains("\"event\":\"downloads\""), push);
        assertTrue(push.contains("\"event\":\"signIn\"") || NativeBridge.nextPush(1000).contains("\"event\":\"signIn\""));
        assertEquals("", NativeBridge.nextPush(300), "nothing changed since");
    }

    @Test
    @Order(5)
    void thumbnailsComeWithTheTokenAddedNatively() {
        byte[] image = NativeBridge.thumbnail(HostCore.SERVER, "/library/metadata/55/thumb/1579514152", 100, 150);
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
                () -> NativeBridge.panicForTest("broken on purpose X-Plex-Token=" + HostCore.token()));
        assertEquals("panic", panic.kind());
        assertTrue(panic.sentence().contains("broken on purpose"), panic.getMessage());
        assertFalse(panic.getMessage().contains(HostCore.token()), "the token is redacted: " + panic.getMessage());

        BridgeException unfinished = assertThrows(BridgeException.class, () -> NativeBridge.finishedFile(4242));
        assertEquals("noSuchDownload", unfinished.kind());
        BridgeException otherFolder = assertThrows(BridgeException.class,
                () -> NativeBridge.init(HostCore.dataDir().resolve("elsewhere").toString(), ""));
        assertEquals("badRequest", otherFolder.kind());
        BridgeException badOptions = assertThrows(BridgeException.class, () -> NativeBridge.runQueue(5, "{\"x\":1}"));
        assertEquals("badRequest", badOptions.kind());
        BridgeException badLimit = assertThrows(BridgeException.class, () -> NativeBridge.setBackgroundLimit("none"));
        assertEquals("badRequest", badLimit.kind());

        String answer = NativeBridge.dispatch("not json");
        assertTrue(answer.contains("\"kind\":\"badRequest\""), answer);
        assertTrue(call("downloads.list", "{}").startsWith("{\"v\":1"), "still answering");
    }
}
