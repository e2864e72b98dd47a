package dev.flinksidecar.sidecar.session;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.sidecar.rules.TestingBatches;
import org.junit.jupiter.api.Test;

/** The column checks an EventBatch passes on receipt, each failure naming what is wrong. */
class BatchColumnsTest {

    private static final EventBatch GOOD = TestingBatches.batch(1, "a=1", "b=2", "c");

    @Test
    void aWellFormedBatchPasses() {
        assertThat(BatchColumns.problem(GOOD)).isNull();
        assertThat(BatchColumns.problem(EventBatch.newBuilder().setSequence(1).build())).isNull();
    }

    @Test
    void countsThatOverflowToTheRightSumAreCaught() {
        EventBatch batch =
                EventBatch.newBuilder()
                        .addKey("a")
                        .addKey("b")
                        .addTimeDelta(0)
                        .addTimeDelta(0)
                        .addType(0)
                        .addType(0)
                        .addAttributeCount(-1)
                        .addAttributeCount(1)
                        .build();
        assertThat(BatchColumns.problem(batch))
                .isEqualTo(
                        "column 'attribute_count' sums to 4294967296 attributes, and 'attribute_tag' has 0");
    }

    @Test
    void eachColumnIsNamed() {
        assertThat(BatchColumns.problem(GOOD.toBuilder().addTimeDelta(1).build()))
                .isEqualTo("column 'time_delta' has 4 entries for 3 events");
        assertThat(BatchColumns.problem(GOOD.toBuilder().setType(0, 9).build()))
                .isEqualTo("event 0 has type 9, beyond the 1 type_names");
        assertThat(
                        BatchColumns.problem(
                                GOOD.toBuilder()
                                        .addPayloads(com.google.protobuf.ByteString.EMPTY)
                                        .build()))
                .isEqualTo("column 'payloads' has 1 entries for 3 events (0 or one per event)");
        assertThat(BatchColumns.problem(GOOD.toBuilder().setAttributeTag(0, (7 << 3) | 1).build()))
                .isEqualTo("attribute_tag 0 names attribute 7, beyond the 1 attribute_names");
        assertThat(BatchColumns.problem(GOOD.toBuilder().setAttributeTag(0, 6).build()))
                .isEqualTo("attribute_tag 0 has the unknown attribute kind 6");
        assertThat(BatchColumns.problem(GOOD.toBuilder().addLongValues(5).build()))
                .isEqualTo(
                        "column 'long_values' has 3 entries and the attribute tags name 2 LONG values");
        assertThat(
                        BatchColumns.problem(
                                GOOD.toBuilder()
                                        .addInterimWatermarkPositions(4)
                                        .addInterimWatermarks(10)
                                        .build()))
                .isEqualTo(
                        "interim_watermark_positions 0 is 4 (positions never decrease and are at most the 3 events)");
        assertThat(BatchColumns.problem(GOOD.toBuilder().addInterimWatermarks(10).build()))
                .isEqualTo(
                        "column 'interim_watermark_positions' has 0 entries and 'interim_watermarks' 1");
    }
}
