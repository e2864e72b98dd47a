package dev.flinksidecar.bench.json;

import dev.flinksidecar.events.MalformedEventException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** The UTF-8 checks of the event reader, for {@link JacksonEventLines}. One thread. */
final class StrictUtf8 {

    private final CharsetDecoder decoder =
            StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT);

    void check(byte[] bytes, int offset, int length) throws MalformedEventException {
        for (int i = offset, end = offset + length; i < end; i++) {
            if (bytes[i] < 0) {
                decoder.reset();
                ByteBuffer in = ByteBuffer.wrap(bytes, offset, length);
                CoderResult result = decoder.decode(in, CharBuffer.allocate(length), true);
                if (result.isError()) {
                    throw new MalformedEventException(
                            "not valid UTF-8 at byte " + (in.position() - offset + 1));
                }
                return;
            }
        }
    }

    static void checkWhole(String text, String what) throws MalformedEventException {
        for (int i = 0, n = text.length(); i < n; i++) {
            char c = text.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c)
                        && i + 1 < n
                        && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                    continue;
                }
                throw new MalformedEventException(what + " holds half a surrogate pair");
            }
        }
    }
}
