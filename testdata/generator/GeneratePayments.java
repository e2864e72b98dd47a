import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;

/**
 * Writes the demo's payments stream and, computed straight from the generated events, the output
 * the example rules must give for it. Single-file Java 17 program without dependencies:
 *
 * <pre>
 *   java testdata/generator/GeneratePayments.java testdata
 * </pre>
 *
 * <p>Deterministic (seeded {@link Random}, {@link StrictMath}): running it again gives the same
 * bytes. Writes, under the folder given:
 *
 * <ul>
 *   <li>{@code payments.jsonl}: the events, plus a few malformed lines;
 *   <li>{@code expected/threshold.jsonl}: the threshold rule's results with its default config;
 *   <li>{@code expected/merchant-watch.jsonl}: the merchant-watch rule's results with its default config;
 *   <li>{@code expected/dead-letters.jsonl}: one line per malformed input line (file, line, raw).
 * </ul>
 *
 * <p>The expected files are an independent oracle: this program never runs the rule jars. The
 * rules' default configs are repeated below; the program checks them against
 * {@code examples/NAME/NAME.json} when it finds those files beside the output folder.
 */
public final class GeneratePayments {

    static final long SEED = 20260101L;
    static final int EVENTS = 12_000;
    static final int CARDS = 500;
    static final long START = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
    /** Mean gap between consecutive events, ms (exponentially distributed). */
    static final double MEAN_GAP_MS = 100;
    /** How far an event may lag behind the largest earlier event time, ms. */
    static final long MAX_DELAY_MS = 3_000;
    static final double DELAYED_SHARE = 0.15;
    static final double ISO_TIME_SHARE = 0.05;
    static final double REFUND_SHARE = 0.04;
    static final double TRAVEL_SHARE = 0.08;
    static final String INPUT = "payments.jsonl";

    /** Line numbers (1-based) of the malformed lines, and what is wrong with each. */
    static final int[] MALFORMED_LINES = {1517, 4203, 7788, 11059};

    // The examples' default configs: examples/threshold/threshold.json, examples/merchant-watch/merchant-watch.json.
    static final String THRESHOLD_CONFIG = "{\"id\": \"threshold\", \"field\": \"amount\", \"limit\": 1000}";
    static final long THRESHOLD_LIMIT = 1000;
    static final List<String> WATCHED_MERCHANTS = List.of("Lucky Star Casino", "QuickCash Exchange");
    static final List<String> WATCHED_COUNTRIES = List.of("BR", "TH");
    static final String VERSION = "1.0.0";

    /** A merchant: amounts are log-normal around {@code median}; {@code channels} are where it sells. */
    record Merchant(String name, double weight, double median, double sigma, String... channels) {}

    static final List<Merchant> MERCHANTS = List.of(
            new Merchant("Blue Door Coffee", 9, 5.5, 0.35, "pos", "app"),
            new Merchant("Bean There Cafe", 6, 4.8, 0.35, "pos"),
            new Merchant("FreshMart", 10, 42, 0.7, "pos", "web"),
            new Merchant("Green Valley Grocers", 6, 58, 0.6, "pos"),
            new Merchant("Corner Market", 7, 18, 0.6, "pos"),
            new Merchant("Fuel Stop", 6, 55, 0.4, "pos"),
            new Merchant("Trattoria Roma", 4, 48, 0.5, "pos"),
            new Merchant("Golden Dragon", 4, 34, 0.5, "pos", "app"),
            new Merchant("Burger Barn", 5, 13, 0.4, "pos", "app"),
            new Merchant("FoodDash", 6, 29, 0.5, "app"),
            new Merchant("RideNow", 6, 17, 0.6, "app"),
            new Merchant("StreamBox", 3, 12.99, 0.2, "web", "app"),
            new Merchant("ShopSphere", 9, 64, 1.0, "web", "app"),
            new Merchant("Urban Threads", 4, 75, 0.7, "pos", "web"),
            new Merchant("Acme Hardware", 3, 40, 0.9, "pos"),
            new Merchant("City Pharmacy", 4, 21, 0.6, "pos"),
            new Merchant("Page Turner Books", 2, 24, 0.5, "pos", "web"),
            new Merchant("Metro Rail", 4, 8, 0.8, "pos", "app"),
            new Merchant("Volt Electronics", 5, 380, 1.0, "pos", "web"),
            new Merchant("Harbor Hotel", 2, 290, 0.7, "web", "pos"),
            new Merchant("SkyWays Airlines", 2.5, 520, 0.75, "web", "app"),
            new Merchant("Oak & Pine Furniture", 1.5, 640, 0.8, "pos", "web"),
            new Merchant("Aurora Jewelers", 1.5, 850, 0.9, "pos"),
            new Merchant("Gift Card Depot", 1.2, 0, 0, "web", "app"),
            new Merchant("Lucky Star Casino", 1, 140, 1.2, "web", "app"),
            new Merchant("QuickCash Exchange", 0.8, 310, 1.0, "web"));
    static final long[] GIFT_CARD_CENTS = {2_500, 5_000, 10_000, 10_000, 25_000, 50_000, 100_000};

    static final String[] HOME_COUNTRIES = {"US", "US", "US", "GB", "GB", "DE", "DE", "FR", "NL", "ES", "IT", "SE", "PL", "CA", "IE", "AT"};
    static final String[] TRAVEL_COUNTRIES = {"PT", "GR", "MX", "JP", "TH", "BR", "TR", "AE", "US", "GB", "FR", "ES", "HR", "MA"};

    record Card(String id, String home, double weight) {}

    /** One generated event; {@code amount} is the text written to the file. */
    record Payment(String key, long time, boolean isoTime, String type, String amount,
                   String merchant, String country, String channel, boolean cardPresent) {}

    private final Random random = new Random(SEED);
    private final List<Card> cards = new ArrayList<>();
    private double cardWeights;
    private double merchantWeights;

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java testdata/generator/GeneratePayments.java OUTPUT_DIR");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        checkConfigs(out.toAbsolutePath().normalize().resolveSibling("examples"));
        new GeneratePayments().run(out);
    }

    void run(Path out) throws IOException {
        for (int i = 0; i < CARDS; i++) {
            double weight = StrictMath.exp(random.nextGaussian());
            cards.add(new Card(String.format(Locale.ROOT, "card-%04d", i), pick(HOME_COUNTRIES), weight));
            cardWeights += weight;
        }
        for (Merchant m : MERCHANTS) {
            merchantWeights += m.weight();
        }

        List<String> lines = new ArrayList<>();
        List<String> threshold = new ArrayList<>();
        List<String> watch = new ArrayList<>();
        List<String> deadLetters = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        int events = 0, refunds = 0, iso = 0, outOfOrder = 0, atLimit = 0, byMerchant = 0, byCountry = 0;
        long base = START + 5_000, maxTime = Long.MIN_VALUE, maxLag = 0;
        int malformed = 0;

        while (events < EVENTS) {
            base += Math.round(-MEAN_GAP_MS * StrictMath.log(1 - random.nextDouble()));
            Payment p = payment(base);
            int lineNumber = lines.size() + 1;
            if (malformed < MALFORMED_LINES.length && lineNumber == MALFORMED_LINES[malformed]) {
                String raw = malformedLine(malformed++, p);
                lines.add(raw);
                deadLetters.add("{\"file\":" + quote(INPUT) + ",\"line\":" + lineNumber + ",\"raw\":" + quote(raw) + "}");
                continue;
            }
            lines.add(json(p));
            events++;
            keys.add(p.key());
            refunds += p.type().equals("refund") ? 1 : 0;
            iso += p.isoTime() ? 1 : 0;
            if (p.time() < maxTime) {
                outOfOrder++;
                maxLag = Math.max(maxLag, maxTime - p.time());
            }
            maxTime = Math.max(maxTime, p.time());

            // The oracle: what each example rule emits for this event with its default config.
            double amount = Double.parseDouble(p.amount());
            atLimit += amount == THRESHOLD_LIMIT ? 1 : 0;
            if (amount > THRESHOLD_LIMIT) {
                threshold.add(result("threshold", p) + ",\"value\":" + Double.toString(amount) + "}");
            }
            String reason = WATCHED_MERCHANTS.contains(p.merchant()) ? "merchant"
                    : WATCHED_COUNTRIES.contains(p.country()) ? "country" : null;
            if (reason != null) {
                byMerchant += reason.equals("merchant") ? 1 : 0;
                byCountry += reason.equals("country") ? 1 : 0;
                watch.add(result("merchant-watch", p) + ",\"merchant\":" + quote(p.merchant())
                        + ",\"country\":" + quote(p.country()) + ",\"reason\":" + quote(reason) + "}");
            }
        }
        if (maxLag > MAX_DELAY_MS) {
            throw new IllegalStateException("an event lags " + maxLag + " ms, more than " + MAX_DELAY_MS);
        }

        write(out.resolve(INPUT), lines);
        write(out.resolve("expected/threshold.jsonl"), threshold);
        write(out.resolve("expected/merchant-watch.jsonl"), watch);
        write(out.resolve("expected/dead-letters.jsonl"), deadLetters);

        System.out.printf(Locale.ROOT, "%s: %d lines, %d events (%d payment, %d refund), %d malformed lines%n",
                out.resolve(INPUT), lines.size(), events, events - refunds, refunds, deadLetters.size());
        System.out.printf(Locale.ROOT, "  keys: %d distinct of %d cards%n", keys.size(), CARDS);
        System.out.printf(Locale.ROOT, "  time: %s .. %s; %d events out of order, largest lag %d ms (bound %d ms);"
                        + " %d times as ISO-8601 instants%n",
                Instant.ofEpochMilli(START), Instant.ofEpochMilli(maxTime), outOfOrder, maxLag, MAX_DELAY_MS, iso);
        System.out.printf(Locale.ROOT, "  expected/threshold.jsonl: %d results (%.2f%% of events; %d amounts exactly %d)%n",
                threshold.size(), 100.0 * threshold.size() / events, atLimit, THRESHOLD_LIMIT);
        System.out.printf(Locale.ROOT, "  expected/merchant-watch.jsonl: %d results (%.2f%%: %d by merchant, %d by country)%n",
                watch.size(), 100.0 * watch.size() / events, byMerchant, byCountry);
        System.out.printf(Locale.ROOT, "  expected/dead-letters.jsonl: %d lines%n", deadLetters.size());
    }

    private Payment payment(long base) {
        Card card = weighted(cards, cardWeights);
        Merchant merchant = pickMerchant();
        String channel = merchant.channels()[random.nextInt(merchant.channels().length)];
        boolean cardPresent = channel.equals("pos") && random.nextDouble() >= 0.02; // a few keyed-in pos sales
        String country = random.nextDouble() < TRAVEL_SHARE ? pick(TRAVEL_COUNTRIES) : card.home();
        String type = random.nextDouble() < REFUND_SHARE ? "refund" : "payment";
        long delay = random.nextDouble() < DELAYED_SHARE ? 1 + random.nextInt((int) MAX_DELAY_MS) : 0;
        boolean isoTime = random.nextDouble() < ISO_TIME_SHARE;
        return new Payment(card.id(), base - delay, isoTime, type, cents(amountCents(merchant)),
                merchant.name(), country, channel, cardPresent);
    }

    private Merchant pickMerchant() {
        double r = random.nextDouble() * merchantWeights;
        for (Merchant m : MERCHANTS) {
            r -= m.weight();
            if (r < 0) {
                return m;
            }
        }
        return MERCHANTS.get(MERCHANTS.size() - 1);
    }

    private long amountCents(Merchant m) {
        if (m.median() == 0) {
            return GIFT_CARD_CENTS[random.nextInt(GIFT_CARD_CENTS.length)];
        }
        double amount = m.median() * StrictMath.exp(m.sigma() * random.nextGaussian());
        long cents = Math.max(50, Math.min(2_000_000, Math.round(amount * 100)));
        if (m.median() >= 100 && random.nextBoolean()) {
            cents = Math.max(99, cents / 100 * 100 - 1); // shop prices: 999.99, 1299.99
        }
        return cents;
    }

    /** The {@code index}-th malformed line, made from a real event {@code p} the way producers break them. */
    private static String malformedLine(int index, Payment p) {
        String line = json(p);
        switch (index) {
            case 0: // truncated write: invalid JSON
                return line.substring(0, line.indexOf("\"merchant\":\"") + 15);
            case 1: // no key
                return line.replace("{\"key\":" + quote(p.key()) + ",", "{");
            case 2: // a time that is no instant
                return line.replaceFirst("\"time\":[^,]+,", "\"time\":\"yesterday\",");
            default: // null is not an attribute value
                return line.replace("\"merchant\":" + quote(p.merchant()), "\"merchant\":null");
        }
    }

    static String json(Payment p) {
        String time = p.isoTime() ? quote(Instant.ofEpochMilli(p.time()).toString()) : Long.toString(p.time());
        return "{\"key\":" + quote(p.key()) + ",\"time\":" + time + ",\"type\":" + quote(p.type())
                + ",\"amount\":" + p.amount() + ",\"merchant\":" + quote(p.merchant()) + ",\"country\":"
                + quote(p.country()) + ",\"channel\":" + quote(p.channel()) + ",\"card_present\":" + p.cardPresent() + "}";
    }

    private static String result(String rule, Payment p) {
        return "{\"rule\":" + quote(rule) + ",\"version\":" + quote(VERSION) + ",\"key\":" + quote(p.key())
                + ",\"time\":" + p.time();
    }

    static String cents(long cents) {
        return cents / 100 + "." + String.format(Locale.ROOT, "%02d", cents % 100);
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"').toString();
    }

    private <T> T pick(T[] values) {
        return values[random.nextInt(values.length)];
    }

    private Card weighted(List<Card> list, double total) {
        double r = random.nextDouble() * total;
        for (Card c : list) {
            r -= c.weight();
            if (r < 0) {
                return c;
            }
        }
        return list.get(list.size() - 1);
    }

    private static void write(Path file, List<String> lines) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            text.append(line).append('\n');
        }
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Fails when an example's default config no longer says what this oracle assumes. */
    private static void checkConfigs(Path examples) {
        String watchConfig = "{\"id\": \"merchant-watch\", \"merchants\": " + array(WATCHED_MERCHANTS)
                + ", \"countries\": " + array(WATCHED_COUNTRIES) + "}";
        check(examples.resolve("threshold/threshold.json"), THRESHOLD_CONFIG);
        check(examples.resolve("merchant-watch/merchant-watch.json"), watchConfig);
    }

    private static String array(List<String> values) {
        List<String> quoted = new ArrayList<>();
        values.forEach(v -> quoted.add(quote(v)));
        return "[" + String.join(", ", quoted) + "]";
    }

    private static void check(Path config, String expected) {
        if (!Files.isRegularFile(config)) {
            System.err.println("warning: " + config + " not found; expected results assume " + expected);
            return;
        }
        try {
            String actual = Files.readString(config);
            if (!actual.replaceAll("\\s+", "").equals(expected.replaceAll("\\s+", ""))) {
                throw new IllegalStateException(config + " is " + actual.strip() + " but the expected results assume "
                        + expected + "; update GeneratePayments.java and run it again");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
