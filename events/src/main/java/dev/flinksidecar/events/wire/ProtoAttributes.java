package dev.flinksidecar.events.wire;

import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.Result;
import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Attributes;
import java.util.List;

/** Attributes to and from their protobuf form in results. */
public final class ProtoAttributes {

    private ProtoAttributes() {}

    /** Appends each attribute of {@code source}, in order, to {@code target}. */
    public static void addTo(Attributes source, Result.Builder target) {
        int count = source.attributeCount();
        for (int i = 0; i < count; i++) {
            Attribute.Builder a = target.addAttributesBuilder().setName(source.attributeName(i));
            switch (source.attributeType(i)) {
                case STRING:
                    a.setStringValue(source.stringAt(i));
                    break;
                case LONG:
                    a.setLongValue(source.longAt(i));
                    break;
                case DOUBLE:
                    a.setDoubleValue(source.doubleAt(i));
                    break;
                default:
                    a.setBoolValue(source.booleanAt(i));
            }
        }
    }

    /**
     * A read view over protobuf attributes. An attribute without a value reads as the empty string.
     */
    public static Attributes view(List<Attribute> list) {
        return new Attributes() {
            @Override
            public int attributeCount() {
                return list.size();
            }

            @Override
            public String attributeName(int index) {
                return list.get(index).getName();
            }

            @Override
            public AttributeType attributeType(int index) {
                switch (list.get(index).getValueCase()) {
                    case LONG_VALUE:
                        return AttributeType.LONG;
                    case DOUBLE_VALUE:
                        return AttributeType.DOUBLE;
                    case BOOL_VALUE:
                        return AttributeType.BOOLEAN;
                    default:
                        return AttributeType.STRING;
                }
            }

            @Override
            public String stringAt(int index) {
                return list.get(index).getStringValue();
            }

            @Override
            public long longAt(int index) {
                return list.get(index).getLongValue();
            }

            @Override
            public double doubleAt(int index) {
                return list.get(index).getDoubleValue();
            }

            @Override
            public boolean booleanAt(int index) {
                return list.get(index).getBoolValue();
            }
        };
    }
}
