package dev.flinksidecar.bench;

import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.EventBatch;
import dev.flinksidecar.rule.Event;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A batch of events in the columnar layout built with the generated {@link EventBatch.Builder}, as
 * the operator did before it wrote the columns by hand: {@link CodecBenchmark}'s reference. Without
 * payloads (the benchmark's events have none).
 */
final class GeneratedBatch {

    private GeneratedBatch() {}

    static EventBatch of(List<? extends Event> events, long sequence, long watermark) {
        EventBatch.Builder batch = EventBatch.newBuilder().setSequence(sequence);
        Map<String, Integer> names = new HashMap<>();
        Map<String, Integer> types = new HashMap<>();
        long previous = 0;
        for (Event event : events) {
            batch.addKey(event.key());
            batch.addTimeDelta(event.time() - previous);
            previous = event.time();
            String type = event.type();
            if (type == null) {
                batch.addType(0);
            } else {
                Integer index = types.get(type);
                if (index == null) {
                    index = types.size();
                    types.put(type, index);
                    batch.addTypeNames(type);
                }
                batch.addType(index + 1);
            }
            batch.addAttributeCount(event.attributeCount());
            for (int i = 0; i < event.attributeCount(); i++) {
                String name = event.attributeName(i);
                Integer index = names.get(name);
                if (index == null) {
                    index = names.size();
                    names.put(name, index);
                    batch.addAttributeNames(name);
                }
                int tag = index << 3;
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
        }
        return batch.setWatermark(watermark).build();
    }
}
