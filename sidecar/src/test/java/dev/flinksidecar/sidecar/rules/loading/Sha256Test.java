package dev.flinksidecar.sidecar.rules.loading;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class Sha256Test {

    @Test
    void givesTheFipsTestVectors() {
        assertThat(hex(""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(hex("abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        byte[] million = new byte[1_000_000];
        Arrays.fill(million, (byte) 'a');
        Sha256 sha = new Sha256();
        sha.update(million);
        assertThat(HexFormat.of().formatHex(sha.digest()))
                .isEqualTo("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    }

    @Test
    void equalsMessageDigestForEveryLengthAroundTheBlockAndPaddingBoundaries() throws Exception {
        Random random = new Random(42);
        for (int length = 0; length <= 200; length++) {
            byte[] message = new byte[length];
            random.nextBytes(message);
            Sha256 sha = new Sha256();
            sha.update(message);
            assertThat(sha.digest())
                    .as("length %d", length)
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(message));
        }
    }

    @Test
    void piecesOfAnySizeGiveTheHashOfTheWhole() throws Exception {
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            byte[] message = new byte[random.nextInt(1000)];
            random.nextBytes(message);
            Sha256 sha = new Sha256();
            for (int offset = 0; offset < message.length; ) {
                int piece = Math.min(message.length - offset, random.nextInt(150));
                sha.update(Arrays.copyOfRange(message, offset, offset + piece));
                offset += piece;
            }
            assertThat(sha.digest())
                    .isEqualTo(MessageDigest.getInstance("SHA-256").digest(message));
        }
    }

    @Test
    void aCopyGoesOnFromTheSameStateAndLeavesTheOriginalAlone() throws Exception {
        Sha256 sha = new Sha256();
        sha.update(bytes("hello, "));
        Sha256 copy = sha.copy();
        copy.update(bytes("world"));
        sha.update(bytes("sidecar"));

        assertThat(copy.digest())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(bytes("hello, world")));
        assertThat(sha.digest())
                .isEqualTo(MessageDigest.getInstance("SHA-256").digest(bytes("hello, sidecar")));
    }

    private static String hex(String message) {
        Sha256 sha = new Sha256();
        sha.update(bytes(message));
        return HexFormat.of().formatHex(sha.digest());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
