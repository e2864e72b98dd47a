package dev.flinksidecar.sidecar.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.sidecar.Deadline;
import dev.flinksidecar.sidecar.Scrape;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Series of versions and sessions: one per label set, counted from before the registry exists, gone
 * with their last owner.
 */
class SidecarMetricsTest {

    @Test
    void versionSeriesCountFromBeforeTheRegistryAndGoWithTheLastVersionOfTheirLabels() {
        SidecarMetrics metrics = SidecarMetrics.create(true);
        VersionMeters first = metrics.version("fraud", "1.0.0+abc");
        first.events(500);
        first.answered(3, 1, 2);
        VersionMeters again =
                metrics.version(
                        "fraud", "1.0.0+abc"); // a rollback while the old one still runs somewhere
        assertThat(again).isSameAs(first);
        start(metrics);

        Scrape scrape = new Scrape(metrics.scrape());
        assertThat(
                        scrape.value(
                                "sidecar_rule_events_total",
                                "rule",
                                "fraud",
                                "version",
                                "1.0.0+abc"))
                .isEqualTo(500.0);
        assertThat(scrape.value("sidecar_rule_results_total", "rule", "fraud")).isEqualTo(3.0);
        assertThat(scrape.value("sidecar_rule_errors_total", "rule", "fraud")).isEqualTo(1.0);
        assertThat(scrape.value("sidecar_rule_late_events_total", "rule", "fraud")).isEqualTo(2.0);

        metrics.release(first);
        assertThat(new Scrape(metrics.scrape()).value("sidecar_rule_events_total", "rule", "fraud"))
                .isEqualTo(500.0);
        metrics.release(again);
        assertThat(new Scrape(metrics.scrape()).samples("sidecar_rule_events_total")).isEmpty();
        assertThat(
                        new Scrape(metrics.scrape())
                                .samples("sidecar_rule_batch_duration_seconds_count"))
                .isEmpty();
    }

    @Test
    void sessionsWithTheSameLabelsAddUpAndTheirSeriesGoWithTheLast() {
        SidecarMetrics metrics = SidecarMetrics.create(true);
        start(metrics);
        SessionMeters a = metrics.session();
        SessionMeters b = metrics.session();
        a.received(100); // before the Hello
        a.open(2, "rules");
        b.open(2, "rules");
        a.batch(10);
        b.batch(5);
        b.answered(5);
        a.windows(3, 2);
        b.windows(4, 1);

        Scrape scrape = new Scrape(metrics.scrape());
        assertThat(scrape.value("sidecar_session_batches_total", "subtask", "2", "task", "rules"))
                .isEqualTo(2.0);
        assertThat(scrape.value("sidecar_session_events_in_flight", "subtask", "2"))
                .isEqualTo(10.0);
        assertThat(scrape.value("sidecar_session_received_bytes_total", "subtask", "2"))
                .isEqualTo(100.0);
        assertThat(scrape.value("sidecar_window_open", "subtask", "2")).isEqualTo(7.0);
        assertThat(scrape.value("sidecar_window_keys", "subtask", "2")).isEqualTo(3.0);

        a.close();
        assertThat(new Scrape(metrics.scrape()).value("sidecar_window_open", "subtask", "2"))
                .isEqualTo(4.0);
        b.close();
        assertThat(new Scrape(metrics.scrape()).samples("sidecar_session_batches_total")).isEmpty();
    }

    @Test
    void disabledMetricsRecordNothing() {
        SidecarMetrics metrics = SidecarMetrics.create(false);
        assertThat(metrics.version("fraud", "1")).isSameAs(VersionMeters.NONE);
        assertThat(metrics.session()).isSameAs(SessionMeters.NONE);
        metrics.start();
        assertThat(metrics.serving()).isFalse();
        assertThat(metrics.scrape()).isEmpty();
    }

    private static void start(SidecarMetrics metrics) {
        metrics.start();
        Deadline.await("the registry", Duration.ofSeconds(30), metrics::serving);
    }
}
