package dev.flinksidecar.sidecar.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.ServerMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link PeerCheck} with a fake credential source: who is let in by uid and gid lists, and what a
 * refused peer gets.
 */
class PeerCheckTest {

    private static final int OWN_UID = 1000;
    private static final Path SOCKET = Path.of("/run/sidecar.sock");

    private static final PeerAllowList ALLOW_LIST =
            new PeerAllowList(
                    OWN_UID,
                    List.of(2000, 2001),
                    List.of(9999),
                    "sidecar.transport.allowed-uids",
                    "sidecar.transport.allowed-gids");

    @Test
    void theOwnUidIsLetIn() {
        assertLetIn(new PeerIdentity(OWN_UID, 1000, 42));
    }

    @Test
    void aListedUidIsLetInWhateverItsGroup() {
        assertLetIn(new PeerIdentity(2001, 5, 42));
    }

    @Test
    void aListedGidIsLetInWhateverItsUid() {
        assertLetIn(new PeerIdentity(3000, 9999, 42));
    }

    @Test
    void anotherUidAndGidIsRefusedWithARefusalNamingItAndTheSettings() {
        Recorder next = new Recorder();
        EmbeddedChannel channel = channel(c -> new PeerIdentity(3000, 3000, 42), next);

        ServerMessage answer = answer(channel);
        assertThat(answer.getRefusal().getReason())
                .isEqualTo(
                        "uid 3000 (gid 3000, pid 42) may not connect: the sidecar lets in its own"
                                + " uid 1000, the uids of sidecar.transport.allowed-uids [2000, 2001]"
                                + " and the gids of sidecar.transport.allowed-gids [9999]");
        assertThat(next.active).as("the session never starts").isFalse();
        assertThat(channel.pipeline().get(Recorder.class)).as("nor is it added").isNull();
        assertThat(channel.isOpen()).isTrue();

        channel.writeInbound(Unpooled.wrappedBuffer(new byte[] {0, 0, 0, 2, 8, 1}));
        assertThat(next.reads).as("what a refused peer sends is dropped, undecoded").isZero();

        channel.advanceTimeBy(PeerCheck.LINGER_SECONDS, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).as("closed at the latest after the linger time").isFalse();
    }

    @Test
    void rootIsNotSpecial() {
        EmbeddedChannel channel = channel(c -> new PeerIdentity(0, 0, 1), new Recorder());
        assertThat(answer(channel).getRefusal().getReason()).startsWith("uid 0 (gid 0, pid 1)");
    }

    @Test
    void credentialsThatCannotBeReadAreARefusal() {
        Recorder next = new Recorder();
        EmbeddedChannel channel =
                channel(
                        c -> {
                            throw new IOException("SO_PEERCRED is not supported here");
                        },
                        next);

        assertThat(answer(channel).getRefusal().getReason())
                .isEqualTo(
                        "the peer's credentials cannot be read: SO_PEERCRED is not supported here");
        assertThat(next.active).isFalse();
    }

    private static void assertLetIn(PeerIdentity peer) {
        Recorder next = new Recorder();
        EmbeddedChannel channel = channel(c -> peer, next);

        assertThat(next.active).as(peer + " is let in").isTrue();
        assertThat(channel.pipeline().get(Recorder.class)).as("the real pipeline").isSameAs(next);
        assertThat(channel.pipeline().get(PeerCheck.class)).as("the check is gone").isNull();
        assertThat((Object) channel.readOutbound()).as("nothing answered").isNull();
        channel.writeInbound("a message");
        assertThat(next.reads).isEqualTo(1);
    }

    private static EmbeddedChannel channel(PeerCredentialSource credentials, Recorder next) {
        return new EmbeddedChannel(
                new PeerCheck(next, SOCKET, credentials, ALLOW_LIST, ServerRefusal::of));
    }

    /** The length-prefixed frame the check wrote, parsed. */
    private static ServerMessage answer(EmbeddedChannel channel) {
        ByteBuf frame = channel.readOutbound();
        try {
            int length = frame.readInt();
            assertThat(frame.readableBytes()).as("the length prefix").isEqualTo(length);
            byte[] body = new byte[length];
            frame.readBytes(body);
            return ServerMessage.parseFrom(body);
        } catch (IOException e) {
            throw new AssertionError(e);
        } finally {
            frame.release();
        }
    }

    /** The real pipeline the check adds for a peer it lets in: what reached it. */
    private static final class Recorder extends ChannelInboundHandlerAdapter {
        boolean active;
        int reads;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            active = true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            reads++;
        }
    }
}
