package dev.flinksidecar.events.wire;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * What a batch of events is in the generated classes, built the obvious way with {@link
 * EventBatch.Builder} from event.proto's reading rules: the reference the hand-written encoder and
 * decoder are checked against.
 */
final class ReferenceEventBatch {

    private ReferenceEventBatch() {}

    static EventBatch of(
            List<? extends Event> events,
            long sequence,
            boolean hasWatermark,
            long watermark,
            int[] interimPositions,
            long[] interimWatermarks) {
        EventBatch.Builder batch = EventBatch.newBuilder().setSequence(sequence);
        List<String> names = new ArrayList<>();
        List<String> types = new ArrayList<>();
        long previous = 0;
        boolean payloads = events.stream().anyMatch(e -> e.payload().length > 0);
        for (Event event : events) {
            batch.addKey(event.key());
            batch.addTimeDelta(event.time() - previous);
            previous = event.time();
            String type = event.type();
            if (type == null) {
                batch.addType(0);
            } else {
                if (!types.contains(type)) {
                    types.add(type);
                    batch.addTypeNames(type);
                }
                batch.addType(types.indexOf(type) + 1);
            }
            batch.addAttributeCount(event.attributeCount());
            for (int i = 0; i < event.attributeCount(); i++) {
                String name = event.attributeName(i);
                if (!names.contains(name)) {
                    names.add(name);
                    batch.addAttributeNames(name);
                }
                int tag = names.indexOf(name) << 3;
                switch (event.attributeType(i)) {
                    case STRING:
                        batch.addAttributeTag(tag | AttributeKind.ATTRIBUTE_KIND_STRING_VALUE);
                        batch.addStringValues(event.stringAt(i));
                        break;
                    case LONG:
                        batch.addAttributeTag(tag | AttributeKind.ATTRIBUTE_KIND_LONG_VALUE);
                        batch.addLongValues(event.longAt(i));
                        break;
                    case DOUBLE:
                        batch.addAttributeTag(tag | AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE);
                        batch.addDoubleValues(event.doubleAt(i));
                        break;
                    default:
                        batch.addAttributeTag(
                                tag
                                        | (event.booleanAt(i)
                                                ? AttributeKind.ATTRIBUTE_KIND_TRUE_VALUE
                                                : AttributeKind.ATTRIBUTE_KIND_FALSE_VALUE));
                }
            }
            if (payloads) {
                batch.addPayloads(ByteString.copyFrom(event.payload()));
            }
        }
        if (hasWatermark) {
            batch.setWatermark(watermark);
        }
        for (int j = 0; j < interimPositions.length; j++) {
            batch.addInterimWatermarkPositions(interimPositions[j]);
            batch.addInterimWatermarks(interimWatermarks[j]);
        }
        return batch.build();
    }
}
