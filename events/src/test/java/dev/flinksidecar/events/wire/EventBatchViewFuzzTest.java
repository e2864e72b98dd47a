package dev.flinksidecar.events.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.events.DeadLetters;
import dev.flinksidecar.events.EventJson;
import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.AttributeType;

/**
 * {@link EventBatchView} over arbitrary batches: it either refuses a batch in its constructor with
 * an {@link IllegalArgumentException} naming the column, or every accessor of every event of the
 * batch works, and the event's JSON (as results and dead letters carry it) is valid JSON. No other
 * exception, whatever the columns hold.
 *
 * <p>Half of the inputs are protobuf bytes as they come off the socket; the other half build the
 * columns from the fuzzer's choices (lengths, indexes, kinds and counts chosen independently, the
 * counts as any uint32), which reaches the constructor's checks much faster than mutated protobuf
 * does. Columns are at most 32 entries long.
 *
 * <p>Fuzzed in {@code mvn verify} (events' pom, execution {@code fuzz-event-batch-view}); its
 * inputs, crashes included, are in {@code EventBatchViewFuzzTestInputs/anyBatch/}.
 */
class EventBatchViewFuzzTest {

    private static final int MAX_COLUMN = 32;

    @FuzzTest(maxDuration = "10s")
    void anyBatch(FuzzedDataProvider data) {
        EventBatch batch;
        if (data.consumeBoolean()) {
            try {
                batch = EventBatch.parseFrom(data.consumeRemainingAsBytes());
            } catch (InvalidProtocolBufferException e) {
                return;
            }
        } else {
            batch = columns(data);
        }
        EventBatchView view;
        try {
            view = new EventBatchView(batch);
        } catch (IllegalArgumentException e) {
            assertThat(e).hasMessageStartingWith("event batch: column '");
            return;
        }
        assertThat(view.size()).isEqualTo(batch.getKeyCount());
        for (int i = 0; i < view.size(); i++) {
            readAll(view.at(i));
        }
    }

    private static void readAll(EventBatchView event) {
        event.key();
        event.time();
        event.type();
        event.payload();
        for (int a = 0; a < event.attributeCount(); a++) {
            String name = event.attributeName(a);
            AttributeType type = event.attributeType(a);
            switch (type) {
                case STRING:
                    event.stringAt(a);
                    break;
                case LONG:
                    event.longAt(a);
                    break;
                case DOUBLE:
                    event.doubleAt(a);
                    break;
                default:
                    event.booleanAt(a);
            }
            int first = event.indexOf(name);
            assertThat(first).isBetween(0, a);
        }
        StringBuilder json = new StringBuilder();
        EventJson.append(json, event);
        assertValidJson(json.toString());
        assertValidJson(DeadLetters.ruleFailure("rule", "1", "fuzzed", event));
    }

    private static void assertValidJson(String text) {
        try {
            Json.parseObject(text);
        } catch (Exception e) {
            throw new AssertionError("not valid JSON: " + text, e);
        }
    }

    /** A batch whose every column the fuzzer fills on its own. */
    private static EventBatch columns(FuzzedDataProvider data) {
        EventBatch.Builder batch = EventBatch.newBuilder();
        int keys = data.consumeInt(0, MAX_COLUMN);
        for (int i = 0; i < keys; i++) {
            batch.addKey(data.consumeString(8));
        }
        for (int i = lengthNear(data, keys); i > 0; i--) {
            batch.addTimeDelta(data.consumeLong());
        }
        int typeNames = data.consumeInt(0, 4);
        for (int i = 0; i < typeNames; i++) {
            batch.addTypeNames(data.consumeString(8));
        }
        for (int i = lengthNear(data, keys); i > 0; i--) {
            batch.addType(
                    data.consumeBoolean() ? data.consumeInt(0, typeNames) : data.consumeInt());
        }
        int names = data.consumeInt(0, 8);
        for (int i = 0; i < names; i++) {
            batch.addAttributeNames(data.consumeString(8));
        }
        int tags = 0;
        for (int i = lengthNear(data, keys); i > 0; i--) {
            // small counts mostly; any uint32 (a negative int) sometimes, to overflow the sum
            int count = data.consumeBoolean() ? data.consumeInt(0, 4) : data.consumeInt();
            batch.addAttributeCount(count);
            tags += count;
        }
        int strings = 0;
        int longs = 0;
        int doubles = 0;
        int tagCount =
                data.consumeBoolean() ? Math.floorMod(tags, MAX_COLUMN + 1) : lengthNear(data, 0);
        for (int i = 0; i < tagCount; i++) {
            int kind = data.consumeBoolean() ? data.consumeInt(0, 4) : data.consumeInt(0, 7);
            int name = data.consumeBoolean() ? data.consumeInt(0, names) : data.consumeInt() >>> 3;
            batch.addAttributeTag(name << 3 | kind);
            strings += kind == 0 ? 1 : 0;
            longs += kind == 1 ? 1 : 0;
            doubles += kind == 2 ? 1 : 0;
        }
        for (int i = data.consumeBoolean() ? strings : lengthNear(data, strings); i > 0; i--) {
            batch.addStringValues(data.consumeString(8));
        }
        for (int i = data.consumeBoolean() ? longs : lengthNear(data, longs); i > 0; i--) {
            batch.addLongValues(data.consumeLong());
        }
        for (int i = data.consumeBoolean() ? doubles : lengthNear(data, doubles); i > 0; i--) {
            batch.addDoubleValues(data.consumeDouble());
        }
        if (data.consumeBoolean()) {
            for (int i = lengthNear(data, keys); i > 0; i--) {
                batch.addPayloads(ByteString.copyFrom(data.consumeBytes(4)));
            }
        }
        if (data.consumeBoolean()) {
            batch.setWatermark(data.consumeLong());
        }
        return batch.setSequence(data.consumeLong()).build();
    }

    /** {@code length} most of the time, else any length up to {@link #MAX_COLUMN}. */
    private static int lengthNear(FuzzedDataProvider data, int length) {
        return data.consumeBoolean()
                ? Math.min(length, MAX_COLUMN)
                : data.consumeInt(0, MAX_COLUMN);
    }
}
