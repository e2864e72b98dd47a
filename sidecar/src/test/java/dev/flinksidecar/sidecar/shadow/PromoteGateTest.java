package dev.flinksidecar.sidecar.shadow;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromoteGateTest {

    @Test
    void aPerEventCandidateMayAlwaysBePromoted() {
        assertThat(new PromoteGate(0).waitMillis()).isZero();
    }

    @Test
    void aWindowedCandidateWaitsItsWholeSpanUntilASessionRunsItAndSeesAWatermark() {
        PromoteGate gate = new PromoteGate(10_000);
        assertThat(gate.waitMillis()).isEqualTo(10_000);

        gate.started("s1");
        assertThat(gate.waitMillis()).isEqualTo(10_000);
    }

    @Test
    void theTimeLeftIsTheSpanLessTheEventTimeTheSlowestSessionRan() {
        PromoteGate gate = new PromoteGate(10_000);
        gate.started("s1");
        gate.started("s2");
        gate.watermark("s1", 1_000);
        gate.watermark("s2", 5_000);
        gate.watermark("s1", 9_000);
        gate.watermark("s2", 8_000);

        assertThat(gate.waitMillis()).isEqualTo(7_000); // s2 ran 3 s

        gate.watermark("s2", 15_000);
        assertThat(gate.waitMillis()).isEqualTo(2_000); // now s1 (8 s) is the slowest

        gate.watermark("s1", 11_000);
        assertThat(gate.waitMillis()).isZero();
    }

    @Test
    void aSkippedBatchStartsTheSessionOver() {
        PromoteGate gate = new PromoteGate(10_000);
        gate.started("s1");
        gate.watermark("s1", 0);
        gate.watermark("s1", 20_000);
        assertThat(gate.waitMillis()).isZero();

        gate.skipped("s1");
        gate.watermark("s1", 21_000);
        assertThat(gate.waitMillis()).isEqualTo(10_000);
        gate.watermark("s1", 25_000);
        assertThat(gate.waitMillis()).isEqualTo(6_000);
    }

    @Test
    void theFinalWatermarkCompletesEveryWindowAndAnEndedSessionHoldsNothingBack() {
        PromoteGate gate = new PromoteGate(10_000);
        gate.started("s1");
        gate.started("s2");
        gate.watermark("s1", -5_000);
        gate.watermark("s1", Long.MAX_VALUE);
        assertThat(gate.waitMillis()).isEqualTo(10_000);

        gate.ended("s2");
        assertThat(gate.waitMillis()).isZero();
    }
}
