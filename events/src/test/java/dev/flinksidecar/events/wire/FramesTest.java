package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Goodbye;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class FramesTest {

    @Test
    void roundTripsAndStopsAtTheEnd() throws Exception {
        ClientMessage message =
                ClientMessage.newBuilder()
                        .setGoodbye(Goodbye.newBuilder().setReason("end"))
                        .build();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.write(out, message);
        Frames.write(out, message);
        ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
        assertThat(ClientMessage.parseFrom(Frames.read(in, 1024))).isEqualTo(message);
        assertThat(ClientMessage.parseFrom(Frames.read(in, 1024))).isEqualTo(message);
        assertThat(Frames.read(in, 1024)).isNull();
    }

    @Test
    void refusesOversizedAndTruncatedFrames() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Frames.write(
                out,
                ClientMessage.newBuilder()
                        .setGoodbye(Goodbye.newBuilder().setReason("x".repeat(100)))
                        .build());
        byte[] bytes = out.toByteArray();
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(bytes), 10))
                .isInstanceOf(FrameTooLargeException.class)
                .hasMessageContaining("exceeds the limit of 10 bytes");
        byte[] cut = Arrays.copyOf(bytes, bytes.length - 1);
        assertThatThrownBy(() -> Frames.read(new ByteArrayInputStream(cut), 1024))
                .isInstanceOf(EOFException.class);
    }
}
