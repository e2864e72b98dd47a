package dev.flinksidecar.sidecar.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccountIdsTest {

    @TempDir Path dir;

    @Test
    void namesAreLookedUpAndNumbersAreIds() throws IOException {
        AccountIds ids =
                new AccountIds(
                        Files.writeString(
                                dir.resolve("passwd"),
                                "root:x:0:0:root:/root:/bin/bash\nflink:x:9999:9999::/opt/flink:/bin/sh\n"),
                        Files.writeString(dir.resolve("group"), "root:x:0:\nflink:x:9999:\n"));

        assertThat(ids.uidOf("flink")).isEqualTo(9999);
        assertThat(ids.uidOf("root")).isZero();
        assertThat(ids.gidOf("flink")).isEqualTo(9999);
        assertThat(ids.uidOf("10001")).as("a uid without a name").isEqualTo(10001);
        assertThat(ids.uidOf("4294967294"))
                .as("above Integer.MAX_VALUE, as Netty's int")
                .isEqualTo(-2);
        assertThatThrownBy(() -> ids.uidOf("mallory"))
                .isInstanceOf(IOException.class)
                .hasMessage("the id of user 'mallory' is not in " + dir.resolve("passwd"));
    }

    @Test
    void missingFilesKnowNoName() {
        AccountIds ids = new AccountIds(dir.resolve("none"), dir.resolve("none"));

        assertThatThrownBy(() -> ids.gidOf("flink")).isInstanceOf(IOException.class);
    }
}
