package dev.flinksidecar.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The word-at-a-time searches against a byte-at-a-time loop, on bytes drawn mostly from those they
 * must tell apart: the bytes they look for, their neighbours, and the same bytes with the top bit
 * set (0x8A is no line feed), at every start and end, up to the array's last byte.
 */
class SwarTest {

    private static final int[] INTERESTING = {
        '\n', '\r', '\t', 0x00, 0x0B, 0x0C, 0x0E, 0x1F, ' ', '!', '"', '#', '\\', ']', 0x7F, 0x80,
        0x8A, 0x8D, 0xA2, 0xDC, 0xFF, 'a', 'Z', '0'
    };

    @Test
    void findsLineBreaksAsALoopDoes() {
        Random random = new Random(1);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = randomBytes(random);
            for (int from = 0; from <= bytes.length; from++) {
                int limit = from + random.nextInt(bytes.length - from + 1);
                assertThat(Swar.lineBreak(bytes, from, limit))
                        .as("round %d from %d to %d", round, from, limit)
                        .isEqualTo(lineBreakByBytes(bytes, from, limit));
            }
        }
    }

    @Test
    void findsWherePlainStringsStopAsALoopDoes() {
        Random random = new Random(2);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = randomBytes(random);
            for (int from = 0; from <= bytes.length; from++) {
                int end = from + random.nextInt(bytes.length - from + 1);
                assertThat(Swar.stringStop(bytes, from, end))
                        .as("round %d from %d to %d", round, from, end)
                        .isEqualTo(stringStopByBytes(bytes, from, end));
            }
        }
    }

    @Test
    void aWordIsTheSameWhereverItsBytesLie() {
        Random random = new Random(3);
        for (int round = 0; round < 2_000; round++) {
            byte[] bytes = randomBytes(random);
            for (int at = 0; at < bytes.length; at++) {
                int count = Math.min(8, random.nextInt(bytes.length - at + 1));
                long expected = 0;
                for (int i = 0; i < count; i++) {
                    expected |= (bytes[at + i] & 0xFFL) << (8 * i);
                }
                assertThat(Swar.word(bytes, at, count)).isEqualTo(expected);
            }
        }
    }

    @Test
    void readsEightDigitsAsALoopDoes() {
        Random random = new Random(4);
        byte[] bytes = new byte[8];
        for (int round = 0; round < 200_000; round++) {
            boolean allDigits = true;
            long value = 0;
            for (int i = 0; i < 8; i++) {
                bytes[i] =
                        (byte)
                                (random.nextInt(16) == 0
                                        ? INTERESTING[random.nextInt(INTERESTING.length)]
                                        : '0' + random.nextInt(10));
                allDigits &= bytes[i] >= '0' && bytes[i] <= '9';
                value = value * 10 + bytes[i] - '0';
            }
            long word = Swar.longAt(bytes, 0);
            assertThat(Swar.eightDigits(word)).isEqualTo(allDigits);
            if (allDigits) {
                assertThat(Swar.eightDigitsValue(word)).isEqualTo(value);
            }
        }
        for (int c = 0; c < 256; c++) { // every byte, at every place
            for (int at = 0; at < 8; at++) {
                byte[] digits = "12345678".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                digits[at] = (byte) c;
                assertThat(Swar.eightDigits(Swar.longAt(digits, 0)))
                        .isEqualTo(c >= '0' && c <= '9');
            }
        }
    }

    /** 0 to 40 bytes, mostly interesting ones. */
    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(41)];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] =
                    (byte)
                            (random.nextInt(4) == 0
                                    ? random.nextInt(256)
                                    : INTERESTING[random.nextInt(INTERESTING.length)]);
        }
        return bytes;
    }

    private static int lineBreakByBytes(byte[] bytes, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (bytes[i] == '\n' || bytes[i] == '\r') {
                return i;
            }
        }
        return limit;
    }

    private static int stringStopByBytes(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            int c = bytes[i] & 0xFF;
            if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) {
                return i;
            }
        }
        return end;
    }
}
