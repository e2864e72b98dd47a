package dev.flinksidecar.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ExitCodesTest {

    @Test
    void plainExitCodes() {
        assertThat(ExitCodes.describe(0)).isEqualTo("code 0");
        assertThat(ExitCodes.describe(2)).isEqualTo("code 2");
        assertThat(ExitCodes.describe(128)).isEqualTo("code 128");
        assertThat(ExitCodes.describe(255)).isEqualTo("code 255");
    }

    @Test
    void signalsAre128PlusTheirNumber() {
        assertThat(ExitCodes.describe(137)).isEqualTo("code 137 (signal 9, SIGKILL)");
        assertThat(ExitCodes.describe(143)).isEqualTo("code 143 (signal 15, SIGTERM)");
        assertThat(ExitCodes.describe(134)).isEqualTo("code 134 (signal 6, SIGABRT)");
        assertThat(ExitCodes.describe(138)).isEqualTo("code 138 (signal 10)");
    }
}
