package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.LateEvents;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.proto.RuleRef;
import dev.flinksidecar.proto.WindowFiring;
import org.junit.jupiter.api.Test;

/**
 * The window additions to the shared formats: window result lines, late-event lines, interim
 * watermarks.
 */
class WindowLinesTest {

    private static final RuleRef RULE =
            RuleRef.newBuilder().setId("spend").setVersion("1.0.0").build();

    @Test
    void aWindowResultPrintsItsWindowValueAndCountInsteadOfTime() {
        Result result =
                Result.newBuilder()
                        .setKey("card-1")
                        .setTime(9_999)
                        .setWindow(
                                WindowFiring.newBuilder()
                                        .setStart(0)
                                        .setEnd(10_000)
                                        .setValue(3)
                                        .setCount(2)
                                        .setByWatermark(true))
                        .build();

        assertThat(ResultJson.toJson(RULE, result))
                .isEqualTo(
                        "{\"rule\":\"spend\",\"version\":\"1.0.0\",\"key\":\"card-1\",\"window_start\":0,\"window_end\":10000,\"value\":3.0,\"count\":2}");
    }

    @Test
    void aWindowValueThatIsNotANumberPrintsAsNull() {
        Result result =
                Result.newBuilder()
                        .setKey("k")
                        .setWindow(
                                WindowFiring.newBuilder()
                                        .setStart(-5)
                                        .setEnd(5)
                                        .setValue(Double.NaN)
                                        .setCount(0))
                        .build();

        assertThat(ResultJson.toJson(RULE, result))
                .contains("\"window_start\":-5,\"window_end\":5,\"value\":null,\"count\":0}");
    }

    @Test
    void otherResultsKeepTheirTime() {
        Result result = Result.newBuilder().setKey("k").setTime(7).build();

        assertThat(ResultJson.toJson(RULE, result))
                .isEqualTo("{\"rule\":\"spend\",\"version\":\"1.0.0\",\"key\":\"k\",\"time\":7}");
    }

    @Test
    void aLateEventLineWrapsTheEventAsEventJsonWritesIt() {
        EventRecord event =
                EventRecord.builder("card-1", 1234).type("payment").set("amount", 12.5).build();

        assertThat(LateEvents.line("spend", "1.0.0", event))
                .isEqualTo(
                        "{\"rule\":\"spend\",\"version\":\"1.0.0\",\"event\":{\"key\":\"card-1\",\"time\":1234,\"type\":\"payment\",\"amount\":12.5}}");
    }

    @Test
    void interimWatermarksRecordHowManyEventsPrecedeThem() {
        EventBatchWriter writer = new EventBatchWriter();
        writer.watermarkAfterEvents(-1);
        writer.add(EventRecord.builder("a", 10).build());
        writer.watermarkAfterEvents(9);
        writer.add(EventRecord.builder("b", 20).build());
        writer.add(EventRecord.builder("c", 30).build());
        writer.watermarkAfterEvents(29);

        EventBatch batch = writer.build(1, false, 0);

        assertThat(batch.getInterimWatermarkPositionsList()).containsExactly(0, 1, 3);
        assertThat(batch.getInterimWatermarksList()).containsExactly(-1L, 9L, 29L);
        assertThat(batch.hasWatermark()).isFalse();
        writer.clear();
        assertThat(writer.build(2, true, 5).getInterimWatermarksCount()).isZero();
    }
}
