package dev.flinksidecar.sidecar.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@link FrameDecoder} in an {@link EmbeddedChannel} over arbitrary bytes in arbitrary chunks, with
 * an arbitrary limit, against a reference reading of the same bytes: the frames come out whole and
 * in order, each a 4-byte big-endian length and that many bytes; the first length over the limit
 * fails with a {@link TooLongFrameException} that states the frame's size, the limit and the
 * option, as soon as the length is read; no other exception, whatever the bytes.
 *
 * <p>Fuzzed in {@code mvn verify} (sidecar's pom, execution {@code fuzz-frame-decoder}); its
 * inputs, crashes included, are in {@code FrameDecoderFuzzTestInputs/anyBytes/}.
 */
class FrameDecoderFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void anyBytes(FuzzedDataProvider data) {
        int maxFrameBytes =
                data.consumeBoolean()
                        ? data.consumeInt(0, 300)
                        : data.consumeInt(0, Integer.MAX_VALUE);
        int chunk = data.consumeInt(1, 64);
        byte[] bytes = data.consumeRemainingAsBytes();
        Reference expected = new Reference(bytes, maxFrameBytes);

        EmbeddedChannel channel =
                new EmbeddedChannel(new FrameDecoder(maxFrameBytes, "test.max", Duration.ZERO));
        List<byte[]> frames = new ArrayList<>();
        Throwable failure = null;
        try {
            for (int at = 0; at < bytes.length && failure == null; at += chunk) {
                int n = Math.min(chunk, bytes.length - at);
                try {
                    channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, n));
                } catch (TooLongFrameException e) {
                    failure = e;
                }
                for (ByteBuf frame = channel.readInbound();
                        frame != null;
                        frame = channel.readInbound()) {
                    frames.add(ByteBufUtil.getBytes(frame));
                    frame.release();
                }
            }
        } finally {
            try {
                channel.finishAndReleaseAll();
            } catch (TooLongFrameException e) {
                // closing decodes what is left once more: the same frame, the same exception
                assertThat(e)
                        .hasMessage(failure == null ? "(none expected)" : failure.getMessage());
            }
        }

        assertThat(frames).containsExactlyElementsOf(expected.frames);
        if (expected.tooLong < 0) {
            assertThat(failure).isNull();
        } else {
            assertThat(failure)
                    .isInstanceOf(TooLongFrameException.class)
                    .hasMessage(
                            "a frame of "
                                    + expected.tooLong
                                    + " bytes is over the sidecar's limit of "
                                    + maxFrameBytes
                                    + " bytes (test.max)");
        }
    }

    /** The frames of {@code bytes} read by hand, up to the first length over the limit. */
    private static final class Reference {
        final List<byte[]> frames = new ArrayList<>();
        long tooLong = -1;

        Reference(byte[] bytes, int maxFrameBytes) {
            int at = 0;
            while (bytes.length - at >= 4) {
                long length =
                        ((bytes[at] & 0xFFL) << 24)
                                | ((bytes[at + 1] & 0xFFL) << 16)
                                | ((bytes[at + 2] & 0xFFL) << 8)
                                | (bytes[at + 3] & 0xFFL);
                if (length > maxFrameBytes) {
                    tooLong = length;
                    return;
                }
                if (bytes.length - at - 4 < length) {
                    return;
                }
                frames.add(Arrays.copyOfRange(bytes, at + 4, at + 4 + (int) length));
                at += 4 + (int) length;
            }
        }
    }
}
