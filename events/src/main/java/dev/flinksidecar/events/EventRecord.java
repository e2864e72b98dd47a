package dev.flinksidecar.events;

import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import java.util.Arrays;
import java.util.Objects;

/**
 * An event held in memory: what the Flink job's stream carries and what {@code replay} reads.
 * Immutable; the arrays passed in are owned by the record and must not be changed afterwards.
 *
 * <p>Attribute {@code i} is {@code names[i]} of {@code types[i]}; its value is {@code strings[i]}
 * for a STRING, else {@code numbers[i]}: the value of a LONG, the raw bits of a DOUBLE, 0 or 1 for
 * a BOOLEAN. Flat arrays instead of a map keep serialization cheap.
 */
public final class EventRecord implements Event {

    private static final String[] NO_NAMES = new String[0];
    private static final AttributeType[] NO_TYPES = new AttributeType[0];
    private static final long[] NO_NUMBERS = new long[0];
    private static final byte[] NO_PAYLOAD = new byte[0];

    private final String key;
    private final long time;
    private final String type;
    private final String[] names;
    private final AttributeType[] types;
    private final long[] numbers;
    private final String[] strings;
    private final byte[] payload;

    public EventRecord(
            String key,
            long time,
            String type,
            String[] names,
            AttributeType[] types,
            long[] numbers,
            String[] strings,
            byte[] payload) {
        this.key = Objects.requireNonNull(key, "key");
        this.time = time;
        this.type = type;
        this.names = names;
        this.types = types;
        this.numbers = numbers;
        this.strings = strings;
        this.payload = payload == null ? NO_PAYLOAD : payload;
        if (types.length != names.length
                || numbers.length != names.length
                || strings.length != names.length) {
            throw new IllegalArgumentException("attribute arrays differ in length");
        }
    }

    /** Starts an event with the given key and event time (epoch ms). */
    public static Builder builder(String key, long time) {
        return new Builder(key, time);
    }

    /** A copy of any event, detached from where it came from (e.g. a batch view). */
    public static EventRecord copyOf(Event event) {
        if (event instanceof EventRecord) {
            return (EventRecord) event;
        }
        Builder builder =
                builder(event.key(), event.time()).type(event.type()).payload(event.payload());
        for (int i = 0; i < event.attributeCount(); i++) {
            builder.copy(event, i);
        }
        return builder.build();
    }

    @Override
    public String key() {
        return key;
    }

    @Override
    public long time() {
        return time;
    }

    @Override
    public String type() {
        return type;
    }

    @Override
    public byte[] payload() {
        return payload;
    }

    @Override
    public int attributeCount() {
        return names.length;
    }

    @Override
    public String attributeName(int index) {
        return names[index];
    }

    @Override
    public AttributeType attributeType(int index) {
        return types[index];
    }

    @Override
    public String stringAt(int index) {
        return strings[index];
    }

    @Override
    public long longAt(int index) {
        return numbers[index];
    }

    @Override
    public double doubleAt(int index) {
        return Double.longBitsToDouble(numbers[index]);
    }

    @Override
    public boolean booleanAt(int index) {
        return numbers[index] != 0;
    }

    /** The attribute names (do not modify). */
    public String[] names() {
        return names;
    }

    /** The attribute types (do not modify). */
    public AttributeType[] types() {
        return types;
    }

    /** The numeric slots (do not modify); see the class comment. */
    public long[] numbers() {
        return numbers;
    }

    /** The string slots (do not modify); null where the attribute is not a STRING. */
    public String[] strings() {
        return strings;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof EventRecord)) {
            return false;
        }
        EventRecord that = (EventRecord) o;
        return time == that.time
                && key.equals(that.key)
                && Objects.equals(type, that.type)
                && Arrays.equals(names, that.names)
                && Arrays.equals(types, that.types)
                && Arrays.equals(numbers, that.numbers)
                && Arrays.equals(strings, that.strings)
                && Arrays.equals(payload, that.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, time, type, Arrays.hashCode(names), Arrays.hashCode(numbers));
    }

    @Override
    public String toString() {
        return EventJson.toJson(this);
    }

    /**
     * Whether {@code name} is one of the fields every event has ({@code key}, {@code time}, {@code
     * type}), which no attribute may be called: in an event's JSON the attributes stand beside
     * them.
     */
    public static boolean isFieldName(String name) {
        return name.equals("key") || name.equals("time") || name.equals("type");
    }

    /** Builds an {@link EventRecord}; setting a name twice replaces the value in place. */
    public static final class Builder {
        private final String key;
        private final long time;
        private String type;
        private byte[] payload = NO_PAYLOAD;
        private String[] names = NO_NAMES;
        private AttributeType[] types = NO_TYPES;
        private long[] numbers = NO_NUMBERS;
        private String[] strings = NO_NAMES;
        private int count;

        private Builder(String key, long time) {
            this.key = key;
            this.time = time;
        }

        public Builder type(String type) {
            this.type = type;
            return this;
        }

        public Builder payload(byte[] payload) {
            this.payload = payload == null ? NO_PAYLOAD : payload;
            return this;
        }

        public Builder set(String name, String value) {
            int i = slot(name, AttributeType.STRING); // before reading the field: slot may grow it
            strings[i] = Objects.requireNonNull(value, "value");
            return this;
        }

        public Builder set(String name, long value) {
            int i = slot(name, AttributeType.LONG);
            numbers[i] = value;
            return this;
        }

        public Builder set(String name, double value) {
            int i = slot(name, AttributeType.DOUBLE);
            numbers[i] = Double.doubleToRawLongBits(value);
            return this;
        }

        public Builder set(String name, boolean value) {
            int i = slot(name, AttributeType.BOOLEAN);
            numbers[i] = value ? 1 : 0;
            return this;
        }

        /** Copies attribute {@code index} of {@code source} under its own name and type. */
        public Builder copy(Event source, int index) {
            String name = source.attributeName(index);
            switch (source.attributeType(index)) {
                case STRING:
                    return set(name, source.stringAt(index));
                case LONG:
                    return set(name, source.longAt(index));
                case DOUBLE:
                    return set(name, source.doubleAt(index));
                default:
                    return set(name, source.booleanAt(index));
            }
        }

        private int slot(String name, AttributeType attributeType) {
            if (isFieldName(name)) {
                throw new IllegalArgumentException(
                        "'"
                                + name
                                + "' is a field every event has, set with its own method, not an"
                                + " attribute");
            }
            for (int i = 0; i < count; i++) {
                if (names[i].equals(name)) {
                    types[i] = attributeType;
                    strings[i] = null;
                    numbers[i] = 0;
                    return i;
                }
            }
            if (count == names.length) {
                int size = Math.max(4, count * 2);
                names = Arrays.copyOf(names, size);
                types = Arrays.copyOf(types, size);
                numbers = Arrays.copyOf(numbers, size);
                strings = Arrays.copyOf(strings, size);
            }
            names[count] = Objects.requireNonNull(name, "name");
            types[count] = attributeType;
            return count++;
        }

        public EventRecord build() {
            return new EventRecord(
                    key,
                    time,
                    type,
                    Arrays.copyOf(names, count),
                    Arrays.copyOf(types, count),
                    Arrays.copyOf(numbers, count),
                    Arrays.copyOf(strings, count),
                    payload);
        }
    }
}
