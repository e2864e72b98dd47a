package dev.flinksidecar.events;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Strict UTF-8 for event lines: a line of ASCII bytes passes after one look at each byte; any other
 * line goes through the JDK's UTF-8 decoder with errors reported, not replaced (no overlong forms,
 * no encoded surrogates, nothing past U+10FFFF). Not thread-safe: one per parser.
 */
final class Utf8 {

    private final CharsetDecoder decoder =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer chars = CharBuffer.allocate(1 << 12);

    /** Refuses bytes that are not UTF-8, naming the first bad byte and where it is. */
    void check(byte[] bytes, int offset, int length) throws MalformedEventException {
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (bytes[i] < 0) {
                decode(bytes, offset, length);
                return;
            }
        }
    }

    private void decode(byte[] bytes, int offset, int length) throws MalformedEventException {
        CharBuffer chars =
                length <= this.chars.capacity() ? this.chars : CharBuffer.allocate(length);
        chars.clear();
        ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
        decoder.reset();
        CoderResult result = decoder.decode(in, chars, true);
        if (!result.isError()) {
            result = decoder.flush(chars);
        }
        if (result.isError()) {
            int at = in.position();
            throw new MalformedEventException(
                    String.format(
                            "not valid UTF-8: byte 0x%02X at byte %d of the line",
                            bytes[at] & 0xFF, at - offset + 1));
        }
    }

    /**
     * Refuses a string with half a surrogate pair: from valid UTF-8 only a {@code \}{@code u}
     * escape gives one, and no UTF-8 output could carry it.
     */
    static void checkWhole(String text, String what) throws MalformedEventException {
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new MalformedEventException(
                        String.format(
                                "%s holds half a surrogate pair (\\u%04x), which is no Unicode text",
                                what, (int) c));
            }
        }
    }
}
