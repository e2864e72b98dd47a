package dev.flinksidecar.sidecar;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarConfigTest {

    @Test
    void defaultsUnlessSet() {
        SidecarConfig config = SidecarConfig.defaults().with("sidecar.transport.io-threads", "3");

        assertThat(config.get(SidecarOptions.IO_THREADS)).isEqualTo(3);
        assertThat(config.get(SidecarOptions.MAX_FRAME_BYTES)).isEqualTo(16 * 1024 * 1024);
        assertThat(config.get(SidecarOptions.SHUTDOWN_TIMEOUT)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void typedValuesParse() {
        SidecarConfig config =
                SidecarConfig.defaults()
                        .withAll(
                                Map.of(
                                        "sidecar.transport.shutdown-timeout", "500ms",
                                        "sidecar.transport.native", "false"));

        assertThat(config.get(SidecarOptions.SHUTDOWN_TIMEOUT)).isEqualTo(Duration.ofMillis(500));
        assertThat(config.get(SidecarOptions.NATIVE_TRANSPORT)).isFalse();
    }

    @Test
    void anUnknownKeyIsRefusedNamingIt() {
        assertThatThrownBy(() -> SidecarConfig.defaults().with("sidecar.transport.io-thread", "3"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "unknown setting 'sidecar.transport.io-thread'; known settings: ");
    }

    @Test
    void aBadValueIsRefusedNamingKeyAndValue() {
        assertThatThrownBy(
                        () -> SidecarConfig.defaults().with("sidecar.transport.io-threads", "many"))
                .hasMessage("sidecar.transport.io-threads: 'many' is not a whole number");
        assertThatThrownBy(
                        () ->
                                SidecarConfig.defaults()
                                        .with("sidecar.transport.shutdown-timeout", "soon"))
                .hasMessageStartingWith(
                        "sidecar.transport.shutdown-timeout: 'soon' is not a duration");
    }

    @Test
    void idListsParseAndABadIdIsNamed() {
        assertThat(SidecarConfig.defaults().get(SidecarOptions.ALLOWED_UIDS)).isEmpty();
        assertThat(
                        SidecarConfig.defaults()
                                .with("sidecar.transport.allowed-uids", " 9999, 0 ,10001")
                                .get(SidecarOptions.ALLOWED_UIDS))
                .containsExactly(9999, 0, 10001);
        assertThat(
                        SidecarConfig.defaults()
                                .with("sidecar.admin.allowed-gids", "")
                                .get(SidecarOptions.ADMIN_ALLOWED_GIDS))
                .isEmpty();
        assertThatThrownBy(
                        () ->
                                SidecarConfig.defaults()
                                        .with("sidecar.transport.allowed-gids", "9999,flink"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "sidecar.transport.allowed-gids: 'flink' is not a numeric group id (write e.g. 9999,10001)");
        assertThatThrownBy(
                        () ->
                                SidecarConfig.defaults()
                                        .with("sidecar.transport.allowed-uids", "1,,2"))
                .hasMessage(
                        "sidecar.transport.allowed-uids: '' is not a numeric user id (write e.g. 9999,10001)");
    }

    @Test
    void aRequiredOptionWithoutValueIsNamed() {
        assertThatThrownBy(() -> SidecarConfig.defaults().get(SidecarOptions.SOCKET_PATH))
                .hasMessage("sidecar.transport.socket-path is not set");
    }
}
