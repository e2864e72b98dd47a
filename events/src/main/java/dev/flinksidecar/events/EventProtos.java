package dev.flinksidecar.events;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.Attribute;
import dev.flinksidecar.proto.Event;

/** Converts between the protobuf {@link Event} of event files and {@link EventRecord}. */
public final class EventProtos {

    private EventProtos() {}

    /** Reads a protobuf event; the exception names what is missing. */
    public static EventRecord fromProto(Event proto) throws MalformedEventException {
        if (proto.getKey().isEmpty()) {
            throw new MalformedEventException("missing field 'key'");
        }
        EventRecord.Builder event =
                EventRecord.builder(proto.getKey(), proto.getTime())
                        .type(proto.getType().isEmpty() ? null : proto.getType())
                        .payload(
                                proto.getPayload().isEmpty()
                                        ? null
                                        : proto.getPayload().toByteArray());
        for (Attribute a : proto.getAttributesList()) {
            switch (a.getValueCase()) {
                case STRING_VALUE:
                    event.set(a.getName(), a.getStringValue());
                    break;
                case LONG_VALUE:
                    event.set(a.getName(), a.getLongValue());
                    break;
                case DOUBLE_VALUE:
                    event.set(a.getName(), a.getDoubleValue());
                    break;
                case BOOL_VALUE:
                    event.set(a.getName(), a.getBoolValue());
                    break;
                default:
                    throw new MalformedEventException(
                            "attribute '" + a.getName() + "' has no value");
            }
        }
        return event.build();
    }

    /** The event as a protobuf message, e.g. to write a length-delimited event file. */
    public static Event toProto(dev.flinksidecar.rule.Event event) {
        Event.Builder proto = Event.newBuilder().setKey(event.key()).setTime(event.time());
        if (event.type() != null) {
            proto.setType(event.type());
        }
        if (event.payload().length > 0) {
            proto.setPayload(ByteString.copyFrom(event.payload()));
        }
        for (int i = 0; i < event.attributeCount(); i++) {
            Attribute.Builder a = Attribute.newBuilder().setName(event.attributeName(i));
            switch (event.attributeType(i)) {
                case STRING:
                    a.setStringValue(event.stringAt(i));
                    break;
                case LONG:
                    a.setLongValue(event.longAt(i));
                    break;
                case DOUBLE:
                    a.setDoubleValue(event.doubleAt(i));
                    break;
                default:
                    a.setBoolValue(event.booleanAt(i));
            }
            proto.addAttributes(a);
        }
        return proto.build();
    }
}
