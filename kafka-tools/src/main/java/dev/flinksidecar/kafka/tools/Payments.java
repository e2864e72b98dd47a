package dev.flinksidecar.kafka.tools;

import dev.flinksidecar.events.EventRecord;
import java.util.SplittableRandom;

/**
 * Payment events shaped like {@code testdata/payments.jsonl}: a card key, a time, type {@code
 * payment}, an amount (mostly below 300, one in eight from 300 to 1,000, 3% above 1,000, the
 * threshold example's limit), a merchant (a few of them on the merchant-watch example's list), a
 * country, a channel and whether the card was present. Deterministic for a seed. Not thread-safe:
 * one generator per thread.
 */
public final class Payments {

    private static final String[] MERCHANTS = {
        "FreshMart",
        "ShopSphere",
        "Blue Door Coffee",
        "Corner Market",
        "FoodDash",
        "Bean There Cafe",
        "Green Valley Grocers",
        "RideNow",
        "Fuel Stop",
        "Volt Electronics",
        "Burger Barn",
        "Urban Threads",
        "Golden Dragon",
        "Trattoria Roma",
        "City Pharmacy",
        "Metro Rail",
        "StreamBox",
        "Acme Hardware",
        "SkyWays Airlines",
        "Harbor Hotel",
        "Aurora Jewelers",
        "Page Turner Books",
        "Gift Card Depot",
        "Oak & Pine Furniture",
        "Lucky Star Casino",
        "QuickCash Exchange"
    };
    private static final String[] COUNTRIES = {
        "US", "US", "GB", "DE", "FR", "NL", "ES", "IT", "CA", "JP", "BR", "TH", "MX", "SE", "PL"
    };
    private static final String[] CHANNELS = {"pos", "pos", "web", "app"};

    private final SplittableRandom random;
    private final int keys;

    /** Payments over {@code keys} cards ({@code card-0000} ...). */
    public Payments(long seed, int keys) {
        if (keys < 1) {
            throw new IllegalArgumentException("keys must be at least 1, not " + keys);
        }
        this.random = new SplittableRandom(seed);
        this.keys = keys;
    }

    /** The next payment, at event time {@code time} (epoch ms). */
    public EventRecord next(long time) {
        // whole cents, divided once, so that the JSON shows them as written (63.46, not
        // 63.46000000000001)
        int band = random.nextInt(100);
        long cents =
                band < 3
                        ? 100_000 + random.nextInt(400_000) // 1,000 to 5,000
                        : band < 15
                                ? 30_000 + random.nextInt(70_000) // 300 to 1,000
                                : 100 + random.nextInt(29_900); // 1 to 300
        double amount = cents / 100.0;
        String channel = CHANNELS[random.nextInt(CHANNELS.length)];
        return EventRecord.builder(String.format("card-%04d", random.nextInt(keys)), time)
                .type("payment")
                .set("amount", amount)
                .set("merchant", MERCHANTS[random.nextInt(MERCHANTS.length)])
                .set("country", COUNTRIES[random.nextInt(COUNTRIES.length)])
                .set("channel", channel)
                .set("card_present", channel.equals("pos") && random.nextInt(10) > 0)
                .build();
    }
}
