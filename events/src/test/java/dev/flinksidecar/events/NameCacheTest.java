package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The cache gives the string of the bytes asked for, whatever it holds: strings that share their
 * first and last eight bytes, or differ only in length or in their middle, are told apart; a string
 * is the same wherever its bytes lie, the end of the array included.
 */
class NameCacheTest {

    @Test
    void givesTheStringOfTheBytesAskedFor() {
        NameCache cache = new NameCache(4); // 16 slots: most strings evict others
        Random random = new Random(9);
        String[] pool = new String[200];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = similar(random);
        }
        for (int round = 0; round < 50_000; round++) {
            String text = pool[random.nextInt(pool.length)];
            byte[] ascii = text.getBytes(StandardCharsets.ISO_8859_1);
            int before = random.nextInt(4);
            int after = random.nextInt(3) == 0 ? 0 : random.nextInt(12); // at the array's end too
            byte[] bytes = new byte[before + ascii.length + after];
            System.arraycopy(ascii, 0, bytes, before, ascii.length);
            assertThat(cache.get(bytes, before, ascii.length)).isEqualTo(text);
        }
    }

    @Test
    void keepsWhatItGave() {
        NameCache cache = new NameCache();
        byte[] line = "{\"merchant\":\"Oak & Pine Furniture\"}".getBytes(StandardCharsets.UTF_8);
        String first = cache.get(line, 2, 8);
        byte[] elsewhere = "merchant".getBytes(StandardCharsets.UTF_8);
        assertThat(cache.get(elsewhere, 0, 8)).isEqualTo("merchant").isSameAs(first);
        assertThat(cache.get(line, 13, 20)).isEqualTo("Oak & Pine Furniture");
        String longer = "x".repeat(NameCache.MAX_LENGTH + 1);
        byte[] bytes = longer.getBytes(StandardCharsets.UTF_8);
        assertThat(cache.get(bytes, 0, bytes.length))
                .as("longer strings are made each time")
                .isEqualTo(longer)
                .isNotSameAs(cache.get(bytes, 0, bytes.length));
    }

    /**
     * Up to {@link NameCache#MAX_LENGTH} bytes over a few letters, with a common head and tail
     * often: strings alike where the cache looks first.
     */
    private static String similar(Random random) {
        int length = random.nextInt(NameCache.MAX_LENGTH + 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < length; i++) {
            boolean middle = i >= 8 && i < length - 8;
            text.append(middle || random.nextInt(8) == 0 ? "ab".charAt(random.nextInt(2)) : 'x');
        }
        return text.toString();
    }
}
