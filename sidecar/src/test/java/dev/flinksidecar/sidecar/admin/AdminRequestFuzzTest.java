package dev.flinksidecar.sidecar.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.sidecar.deploy.ArtifactStore;
import dev.flinksidecar.sidecar.deploy.RuleRegistry;
import dev.flinksidecar.sidecar.unload.RetiredLoaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * What the admin socket does with an arbitrary request: the admin pipeline ({@link
 * AdminChannelInitializer}: frame decoder, protobuf decoder, {@link AdminHandler}, {@link
 * AdminService} over a real registry with an empty store) in an {@link EmbeddedChannel}, fed either
 * one frame around arbitrary request bytes or arbitrary bytes as they come. Every answer is a
 * well-framed {@link AdminResponse}; a frame that is not a request is answered {@code BAD_REQUEST}
 * and the connection closed; a request is answered, never with {@code INTERNAL} (the sidecar
 * failing on a request is a bug); nothing escapes the pipeline. The admin thread is the test's own
 * thread.
 *
 * <p>A status request's {@code gc} is cleared: a full collection per input would leave no time to
 * fuzz.
 *
 * <p>Fuzzed in {@code mvn verify} (sidecar's pom, execution {@code fuzz-admin-request}); its
 * inputs, crashes included, are in {@code AdminRequestFuzzTestInputs/anyRequest/}.
 */
class AdminRequestFuzzTest {

    private static final int MAX_FRAME_BYTES = 1 << 16;

    private static Path dir;
    private static ArtifactStore store;
    private static AdminService service;

    @BeforeAll
    static void startRegistry() throws IOException {
        dir = Files.createTempDirectory("admin-fuzz");
        store = ArtifactStore.open(dir.resolve("store"));
        RuleRegistry registry = new RuleRegistry(store, loader -> {}, 3, () -> 1_767_225_600_000L);
        RetiredLoaders loaders =
                new RetiredLoaders(Duration.ofSeconds(10), System::nanoTime, () -> 0L);
        service = new AdminService(registry, loaders);
    }

    @AfterAll
    static void deleteStore() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    @FuzzTest(maxDuration = "10s")
    void anyRequest(FuzzedDataProvider data) throws IOException {
        boolean oneFrame = data.consumeBoolean();
        byte[] bytes = data.consumeRemainingAsBytes();
        byte[] input = oneFrame ? frame(withoutGc(bytes)) : bytes;

        EmbeddedChannel channel =
                new EmbeddedChannel(
                        new AdminChannelInitializer(
                                new AdminLimits(MAX_FRAME_BYTES, 4, Duration.ZERO, Duration.ZERO),
                                service,
                                Runnable::run));
        try {
            channel.writeInbound(Unpooled.wrappedBuffer(input));
            channel.checkException();
            List<AdminResponse> responses = responses(channel);
            assertThat(responses).hasSizeLessThanOrEqualTo(frameCount(input));
            for (AdminResponse response : responses) {
                assertThat(response.getCode()).isNotEqualTo("INTERNAL");
                if (!response.getOk()) {
                    assertThat(response.getCode()).isNotEmpty();
                    assertThat(response.getMessage()).isNotEmpty();
                }
            }
            if (oneFrame) {
                assertThat(responses).hasSize(1);
                if (!isRequest(withoutGc(bytes))) {
                    assertThat(responses.get(0).getCode()).isEqualTo("BAD_REQUEST");
                    assertThat(channel.isOpen()).isFalse();
                }
            }
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** The bytes, with a status request's gc flag cleared when they are a request. */
    private static byte[] withoutGc(byte[] bytes) {
        try {
            AdminRequest request = AdminRequest.parseFrom(bytes);
            if (request.hasStatus() && request.getStatus().getGc()) {
                return request.toBuilder()
                        .setStatus(request.getStatus().toBuilder().setGc(false))
                        .build()
                        .toByteArray();
            }
        } catch (InvalidProtocolBufferException e) {
            // not a request: sent as it is
        }
        return bytes;
    }

    private static boolean isRequest(byte[] bytes) {
        try {
            AdminRequest.parseFrom(bytes);
            return true;
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }

    private static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(4 + message.length).putInt(message.length).put(message).array();
    }

    /** How many frames the bytes start (an answer per frame at most, plus one for a bad one). */
    private static int frameCount(byte[] bytes) {
        int count = 1;
        for (int at = 0; bytes.length - at >= 4; count++) {
            long length = Integer.toUnsignedLong(ByteBuffer.wrap(bytes, at, 4).getInt());
            at += 4 + (int) Math.min(length, bytes.length);
        }
        return count;
    }

    /** The responses written to the channel: 4-byte length, then the message, each. */
    private static List<AdminResponse> responses(EmbeddedChannel channel) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf buf = channel.readOutbound(); buf != null; buf = channel.readOutbound()) {
            out.write(ByteBufUtil.getBytes(buf));
            buf.release();
        }
        byte[] bytes = out.toByteArray();
        List<AdminResponse> responses = new ArrayList<>();
        int at = 0;
        while (at < bytes.length) {
            assertThat(bytes.length - at).isGreaterThanOrEqualTo(4);
            int length = ByteBuffer.wrap(bytes, at, 4).getInt();
            assertThat(length).isBetween(0, bytes.length - at - 4);
            responses.add(
                    AdminResponse.parseFrom(Arrays.copyOfRange(bytes, at + 4, at + 4 + length)));
            at += 4 + length;
        }
        return responses;
    }
}
