package net.plexdownloader.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import net.plexdownloader.NativeBridge;

/**
 * The benchmark of the bridge as the app uses it: the app's own {@link NativeBridge} class,
 * the JNI library built for this machine, a core opened on a data folder the benchmark filled.
 *
 * <p>Arguments: the data folder, the download folder, the number of timed calls (0: the start
 * alone) and the rows the manifest holds. It opens the core, answers one {@code downloads.list} (the first thing
 * the Downloads screen asks for), then times that many more after a warm-up of 100, and prints
 * one line of JSON: {@code rows} (in the first answer), {@code jvmStartMs} (when the JVM
 * started, by its own clock), {@code firstAnswerMs} (when the first answer came, in
 * milliseconds since the epoch), {@code initMicros} (opening the core), {@code coreStartMicros} (opening
 * the core and the first answer), {@code p50Micros} and {@code p99Micros}.
 */
public final class BridgeLatency {
    private static final String LIST = "{\"v\":1,\"id\":1,\"method\":\"downloads.list\",\"params\":{}}";

    private BridgeLatency() {}

    public static void main(String[] args) {
        if (args.length != 4) {
            System.err.println("usage: BridgeLatency DATA_DIR DOWNLOAD_DIR CALLS ROWS");
            System.exit(2);
        }
        int calls = Integer.parseInt(args[2]);
        int expected = Integer.parseInt(args[3]);
        long coreStart = System.nanoTime();
        NativeBridge.init(args[0], "{\"downloadDir\": \"" + args[1] + "\"}");
        long initMicros = (System.nanoTime() - coreStart) / 1000;
        String first = NativeBridge.dispatch(LIST);
        long coreStartMicros = (System.nanoTime() - coreStart) / 1000;
        long firstAnswerMs = System.currentTimeMillis();
        int rows = count(first, "\"ratingKey\":");
        if (rows != expected) {
            System.err.println("the first answer held " + rows + " rows, not " + expected + ": "
                    + first.substring(0, Math.min(first.length(), 300)));
            System.exit(1);
        }
        if (calls == 0) {
            // Only the start is measured.
            System.out.println("{\"rows\":" + rows
                    + ",\"jvmStartMs\":" + ManagementFactory.getRuntimeMXBean().getStartTime()
                    + ",\"firstAnswerMs\":" + firstAnswerMs
                    + ",\"initMicros\":" + initMicros
                    + ",\"coreStartMicros\":" + coreStartMicros + "}");
            return;
        }
        for (int i = 0; i < 100; i++) {
            NativeBridge.dispatch(LIST);
        }
        long[] micros = new long[calls];
        for (int i = 0; i < calls; i++) {
            long started = System.nanoTime();
            String answer = NativeBridge.dispatch(LIST);
            micros[i] = (System.nanoTime() - started) / 1000;
            if (answer.length() != first.length()) {
                System.err.println("an answer differed from the first: " + answer.length() + " characters");
                System.exit(1);
            }
        }
        Arrays.sort(micros);
        System.out.println("{\"rows\":" + rows
                + ",\"jvmStartMs\":" + ManagementFactory.getRuntimeMXBean().getStartTime()
                + ",\"firstAnswerMs\":" + firstAnswerMs
                + ",\"initMicros\":" + initMicros
                + ",\"coreStartMicros\":" + coreStartMicros
                + ",\"p50Micros\":" + micros[calls / 2]
                + ",\"p99Micros\":" + micros[(int) Math.ceil(calls * 0.99) - 1] + "}");
    }

    private static int count(String text, String what) {
        int found = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + what.length())) {
            found++;
        }
        return found;
    }
}
