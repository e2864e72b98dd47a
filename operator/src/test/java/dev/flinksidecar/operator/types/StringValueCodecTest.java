package dev.flinksidecar.operator.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

class StringValueCodecTest {

    private static final List<String> STRINGS =
            Arrays.asList(
                    "",
                    "a",
                    "payment",
                    null,
                    "é",
                    "naïve café",
                    "名前 値",
                    "\uD83D\uDE00 emoji",
                    "\u007F\u0080\u07FF\u0800\uFFFF",
                    "x".repeat(127),
                    "y".repeat(128),
                    "z".repeat(20_000),
                    "ascii then ü".repeat(300));

    @Test
    void writesTheBytesOfFlinksStringValue() throws IOException {
        StringValueCodec codec = new StringValueCodec();
        for (String s : withRandomStrings()) {
            DataOutputSerializer ours = new DataOutputSerializer(16);
            DataOutputSerializer flinks = new DataOutputSerializer(16);
            codec.write(s, ours);
            StringValue.writeString(s, flinks);
            assertThat(ours.getCopyOfBuffer()).as("%s", s).isEqualTo(flinks.getCopyOfBuffer());
        }
    }

    @Test
    void readsWhatFlinksStringValueWritesOneAfterAnother() throws IOException {
        List<String> strings = withRandomStrings();
        DataOutputSerializer out = new DataOutputSerializer(16);
        for (String s : strings) {
            StringValue.writeString(s, out);
            out.writeInt(42); // something after each string, which must stay unread
        }
        StringValueCodec codec = new StringValueCodec();
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        for (String s : strings) {
            assertThat(codec.read(in)).isEqualTo(s);
            assertThat(in.readInt()).isEqualTo(42);
        }
        assertThat(in.available()).isZero();
    }

    @Test
    void givesTheExpectedStringItselfWhenTheBytesSpellIt() throws IOException {
        StringValueCodec codec = new StringValueCodec();
        String expected = new String("payment"); // not the literal's instance
        DataOutputSerializer out = new DataOutputSerializer(16);
        StringValue.writeString("payment", out);
        StringValue.writeString("paymenu", out);
        StringValue.writeString("pay", out);
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        assertThat(codec.read(in, expected)).isSameAs(expected);
        assertThat(codec.read(in, expected)).isEqualTo("paymenu").isNotSameAs(expected);
        assertThat(codec.read(in, expected)).isEqualTo("pay");
    }

    @Test
    void givesBackOneInstanceForEachOfTheValuesItSawLately() throws IOException {
        String[] values = {"payment", "refund", "payment", "chargeback", "refund", "payment"};
        DataOutputSerializer out = new DataOutputSerializer(16);
        for (String value : values) {
            StringValue.writeString(value, out);
        }
        StringValue.writeString(null, out);
        StringValueCodec codec = new StringValueCodec();
        String[] recent = new String[2];
        DataInputDeserializer in = new DataInputDeserializer(out.getCopyOfBuffer());
        String payment = codec.readRecent(in, recent);
        String refund = codec.readRecent(in, recent);
        assertThat(codec.readRecent(in, recent)).isSameAs(payment);
        assertThat(codec.readRecent(in, recent)).isEqualTo("chargeback"); // refund leaves the two
        assertThat(codec.readRecent(in, recent)).isEqualTo("refund").isNotSameAs(refund);
        assertThat(codec.readRecent(in, recent)).isEqualTo("payment").isNotSameAs(payment);
        assertThat(codec.readRecent(in, recent)).isNull();
        assertThat(recent).containsExactly("payment", "refund");
    }

    @Test
    void refusesACharOfMoreThanThreeBytes() {
        // length 1 (written as 2), then a char whose variable-length number never ends in 3 bytes
        byte[] bytes = {2, (byte) 0x80, (byte) 0x80, (byte) 0x80, 1};
        StringValueCodec codec = new StringValueCodec();
        assertThatThrownBy(() -> codec.read(new DataInputDeserializer(bytes)))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("more than 3 bytes");
    }

    private static List<String> withRandomStrings() {
        List<String> strings = new ArrayList<>(STRINGS);
        Random random = new Random(7);
        for (int i = 0; i < 200; i++) {
            char[] chars = new char[random.nextInt(300)];
            for (int c = 0; c < chars.length; c++) {
                chars[c] =
                        random.nextInt(4) == 0
                                ? (char) random.nextInt(Character.MAX_VALUE + 1)
                                : (char) random.nextInt(0x80);
            }
            strings.add(new String(chars));
        }
        return strings;
    }
}
