package dev.flinksidecar.sidecar.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.WindowAssigner;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The state format's varints and zigzag values come from protobuf-java now: byte for byte what the
 * format's own code wrote before (kept here as {@link #oldVarint} and {@link #oldZigzag}), so
 * states in existing checkpoints read as they did. And a reader that meets cut or random bytes
 * throws only {@link StateFormatException}.
 */
class StateBufferTest {

    private static final long[] EDGES = {
        0,
        1,
        -1,
        2,
        -2,
        63,
        -64,
        64,
        -65,
        127,
        128,
        255,
        256,
        16_383,
        16_384,
        Integer.MAX_VALUE,
        Integer.MIN_VALUE,
        1L << 32,
        1_767_225_600_000L,
        -1_767_225_600_000L,
        (1L << 56) - 1,
        1L << 56,
        (1L << 62),
        -(1L << 62),
        Long.MAX_VALUE,
        Long.MIN_VALUE,
        Long.MAX_VALUE - 1,
        Long.MIN_VALUE + 1
    };

    @Test
    void varintsAndZigzagValuesAreTheBytesTheFormatWroteBefore() throws Exception {
        List<Long> values = new ArrayList<>();
        for (long edge : EDGES) {
            values.add(edge);
        }
        Random random = new Random(17);
        for (int i = 0; i < 10_000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        for (long value : values) {
            StateBuffer varint = new StateBuffer(4);
            varint.writeVarint(value);
            assertThat(varint.toByteArray()).as("varint %d", value).isEqualTo(oldVarint(value));
            StateBuffer zigzag = new StateBuffer(4);
            zigzag.writeZigzag(value);
            assertThat(zigzag.toByteArray()).as("zigzag %d", value).isEqualTo(oldZigzag(value));

            StateCursor in = new StateCursor(concat(varint.toByteArray(), zigzag.toByteArray()));
            assertThat(in.readVarint()).isEqualTo(value);
            assertThat(in.readZigzag()).isEqualTo(value);
            assertThat(in.remaining()).isZero();
        }
        assertThat(oldVarint(Long.MIN_VALUE)).hasSize(10);
        assertThat(oldZigzag(-1)).containsExactly(1);
    }

    @Test
    void stringsIntsAndRawBytesAreTheBytesTheFormatWroteBefore() throws Exception {
        StateBuffer out = new StateBuffer(2);
        out.writeString(
                "caf\u00e9 \uD83D\uDE00 \ud800"); // half a surrogate pair: '?' as String.getBytes
        // writes it
        out.writeOptionalString(null);
        out.writeOptionalString("");
        out.writeInt(0x87d24da1);
        out.write(7);
        StateBuffer other = new StateBuffer(1);
        other.write(new byte[] {1, 2, 3});
        out.write(other);
        out.writeVarint(other.size());

        byte[] name = "caf\u00e9 \uD83D\uDE00 ?".getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(oldVarint(name.length));
        expected.writeBytes(name);
        expected.writeBytes(
                new byte[] {0, 1, (byte) 0x87, (byte) 0xd2, 0x4d, (byte) 0xa1, 7, 1, 2, 3, 3});
        assertThat(out.toByteArray()).isEqualTo(expected.toByteArray());
        assertThat(out.size()).isEqualTo(expected.size());
        out.reset();
        assertThat(out.toByteArray()).isEmpty();
    }

    @Test
    void aVarintOfMoreThanTenBytesIsCorruptAndOneCutShortIsTruncated() {
        byte[] eleven = new byte[11];
        Arrays.fill(eleven, (byte) 0x80);
        assertThatThrownBy(() -> new StateCursor(eleven).readVarint())
                .isInstanceOf(StateFormatException.class)
                .hasMessageStartingWith("the state is corrupt: a varint longer than 10 bytes");
        assertThatThrownBy(() -> new StateCursor(Arrays.copyOf(eleven, 9)).readVarint())
                .isInstanceOf(StateFormatException.class)
                .hasMessageStartingWith("the state is truncated");
        assertThatThrownBy(() -> new StateCursor(new byte[] {1, 2, 3}).readInt())
                .isInstanceOf(StateFormatException.class)
                .hasMessageStartingWith("the state is truncated");
    }

    @Test
    void cutDamagedOrRandomStatesAreRefusedWithAStateFormatExceptionOnly() throws Exception {
        RuleSection sessions =
                new RuleSection(
                        "s",
                        RuleSection.classHash("a.B"),
                        "1.0.0",
                        "l/1",
                        WindowAssigner.session(Duration.ofSeconds(3)),
                        1000);
        RuleSection sliding =
                new RuleSection(
                        "t",
                        RuleSection.classHash("a.C"),
                        "2.0.0",
                        null,
                        WindowAssigner.sliding(
                                Duration.ofSeconds(10),
                                Duration.ofSeconds(5),
                                Duration.ofMillis(-250)),
                        0);
        KeyStateWriter writer = new KeyStateWriter();
        writer.start(2);
        writer.section(sessions, 2);
        writer.window(-5000, 1000, 3, true, new double[] {1.5}, codec());
        writer.window(9000, 12_000, 1, false, null, codec());
        writer.section(sliding, 1);
        writer.window(
                Long.MIN_VALUE / 4,
                Long.MIN_VALUE / 4 + 10_000,
                Long.MAX_VALUE >> 2,
                false,
                new double[] {2},
                codec());
        byte[] state = writer.finish();
        assertThat(KeyStateReader.read(state)).hasSize(2);

        Random random = new Random(23);
        for (int i = 0; i < 20_000; i++) {
            byte[] bad;
            switch (i % 3) {
                case 0:
                    bad = Arrays.copyOf(state, random.nextInt(state.length));
                    break;
                case 1:
                    bad = state.clone();
                    for (int n = 1 + random.nextInt(3); n > 0; n--) {
                        bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
                    }
                    break;
                default:
                    bad = new byte[random.nextInt(64)];
                    random.nextBytes(bad);
                    if (bad.length > 0) {
                        bad[0] = StateFormat.VERSION;
                    }
            }
            try {
                for (StoredSection section : KeyStateReader.read(bad)) {
                    section.decode(AccumulatorCodec.doubles());
                }
            } catch (StateFormatException expected) {
                assertThat(expected.getMessage()).startsWith("the state ");
            } catch (java.io.IOException codec) {
                assertThat(codec.getMessage())
                        .contains("accumulator"); // the codec's own refusal, named by window
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static AccumulatorCodec<Object> codec() {
        return (AccumulatorCodec<Object>) (AccumulatorCodec<?>) AccumulatorCodec.doubles();
    }

    /** How the format wrote a varint before protobuf-java did: seven bits a byte, low first. */
    private static byte[] oldVarint(long value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
        return out.toByteArray();
    }

    /** How the format wrote a signed value before: zigzag, then the varint. */
    private static byte[] oldZigzag(long value) {
        return oldVarint((value << 1) ^ (value >> 63));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
