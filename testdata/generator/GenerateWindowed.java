import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Random;

/**
 * Writes the input of the windowed scenario, {@code windowed/events.jsonl}: a quarter of an hour
 * of card payments in bursts per card (so session windows form and merge), out of order, with a
 * share of events far too late for a 1 s out-of-orderness (so they are late, or fire windows
 * again within an allowed lateness). Single-file Java 17 program without dependencies:
 *
 * <pre>
 *   java testdata/generator/GenerateWindowed.java testdata
 * </pre>
 *
 * <p>Deterministic (seeded {@link Random}, {@link StrictMath}): running it again writes the same
 * bytes. It writes only the input; the expected outputs beside it come from Flink's own window
 * operator (see testdata/README.md).
 */
public final class GenerateWindowed {

    static final long SEED = 20260303L;
    static final int EVENTS = 3_000;
    static final int CARDS = 30;
    static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    static final double MEAN_GAP_MS = 200;

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "testdata").resolve("windowed/events.jsonl");
        Files.createDirectories(out.getParent());
        Random random = new Random(SEED);
        StringBuilder lines = new StringBuilder();
        long clock = START;
        long maxTime = Long.MIN_VALUE;
        int[] recent = {0, 1, 2};
        int late = 0;
        int delayed = 0;
        int refunds = 0;
        for (int i = 0; i < EVENTS; i++) {
            clock += (long) (-MEAN_GAP_MS * StrictMath.log(1 - random.nextDouble()));
            if (random.nextInt(150) == 0) {
                clock += 4_000 + random.nextInt(8_000); // quiet: every session ends
            }
            int card;
            if (random.nextInt(10) < 7) {
                card = recent[random.nextInt(recent.length)]; // bursts: the same few cards again
            } else {
                card = random.nextInt(CARDS);
                recent[random.nextInt(recent.length)] = card;
            }
            long time = clock;
            int lag = random.nextInt(100);
            if (lag < 5) {
                time -= 5_000 + random.nextInt(25_000); // far too late
                late++;
            } else if (lag < 25) {
                time -= random.nextInt(3_000); // behind, often more than 1 s
                delayed++;
            } else if (lag < 30) {
                time = Math.floorDiv(clock, 1_000) * 1_000; // on a window boundary
            }
            boolean refund = random.nextInt(10) == 0;
            refunds += refund ? 1 : 0;
            double amount = Math.round(StrictMath.exp(3 + 1.2 * random.nextGaussian()) * 100) / 100.0;
            lines.append(String.format(Locale.ROOT, "{\"key\":\"card-w%02d\",\"time\":%d,\"type\":\"%s\",\"amount\":%.2f}%n",
                    card, time, refund ? "refund" : "payment", amount));
            maxTime = Math.max(maxTime, time);
        }
        Files.writeString(out, lines.toString(), StandardCharsets.UTF_8);
        System.out.printf(Locale.ROOT, "%s: %d events, %d cards, %d refunds, %d up to 3 s behind, %d 5-30 s behind, %s .. %s%n",
                out, EVENTS, CARDS, refunds, delayed, late, Instant.ofEpochMilli(START), Instant.ofEpochMilli(maxTime));
    }
}
