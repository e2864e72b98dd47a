package dev.flinksidecar.sidecar.rules.loading;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ContentHashTest {

    // SHA-256 test vectors (FIPS 180-2): "abc" and "abcdef" (= "abc" followed by "def")
    private static final String SHA256_ABC =
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    private static final String SHA256_ABCDEF =
            "bef57ec7f53a6d40beb640a780a639c83bc29ac8a9816f1fc6c5c6dcd93c4721";

    @Test
    void theHashCoversTheJarThenTheConfigAndTheStoreDigestTheJarAlone() {
        ContentHash.Digest digest = ContentHash.digest(bytes("abc"), bytes("def"));

        assertThat(digest.jarSha256()).isEqualTo(SHA256_ABC);
        assertThat(digest.hash()).isEqualTo(SHA256_ABCDEF.substring(0, ContentHash.LENGTH));
        assertThat(ContentHash.of(bytes("abc"), bytes("def"))).isEqualTo(digest.hash());
    }

    @Test
    void withoutAConfigTheHashIsTheJarsOwn() {
        ContentHash.Digest digest = ContentHash.digest(bytes("abc"), null);

        assertThat(digest.jarSha256()).isEqualTo(SHA256_ABC);
        assertThat(digest.hash()).isEqualTo("ba7816b");
    }

    @Test
    void theHashJoinsTheVersionAsBuildMetadata() {
        assertThat(ContentHash.version("1.2.0", "3f2a9c1")).isEqualTo("1.2.0+3f2a9c1");
        assertThat(ContentHash.version("1.2.0+build7", "3f2a9c1"))
                .isEqualTo("1.2.0+build7.3f2a9c1");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
