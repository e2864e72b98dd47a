package dev.flinksidecar.job.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RestartBackoffTest {

    private static final RestartBackoff BACKOFF =
            new RestartBackoff(
                    Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(30));

    @Test
    void firstWaitIsTheShortest() {
        assertThat(BACKOFF.next(null, Duration.ZERO)).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void doublesWhileChildrenDieSoonUpToTheMax() {
        Duration wait = null;
        StringBuilder waits = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            wait = BACKOFF.next(wait, Duration.ofSeconds(1));
            waits.append(wait.toMillis()).append(' ');
        }
        assertThat(waits.toString().trim()).isEqualTo("100 200 400 500 500 500");
    }

    @Test
    void startsOverAfterAChildThatStayedUp() {
        assertThat(BACKOFF.next(Duration.ofMillis(500), Duration.ofSeconds(30)))
                .isEqualTo(Duration.ofMillis(100));
        assertThat(BACKOFF.next(Duration.ofMillis(500), Duration.ofMillis(29_999)))
                .isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void defaultIsAHundredMillisDoublingToFiveSeconds() {
        assertThat(RestartBackoff.DEFAULT)
                .isEqualTo(
                        new RestartBackoff(
                                Duration.ofMillis(100),
                                Duration.ofSeconds(5),
                                Duration.ofSeconds(30)));
    }

    @Test
    void refusesAMaxBelowTheFirstWait() {
        assertThatThrownBy(
                        () ->
                                new RestartBackoff(
                                        Duration.ofSeconds(1),
                                        Duration.ofMillis(10),
                                        Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("first PT1S, max PT0.01S");
    }
}
