package dev.flinksidecar.rule;

import java.util.Arrays;
import java.util.Objects;

/**
 * One result of a rule: a key, an event time and attributes in the order they were set.
 *
 * <pre>{@code
 * out.emit(Result.of(event).set("value", amount).set("merchant", merchant));
 * }</pre>
 *
 * <p>The sidecar adds the rule's id and version. Setting a name twice replaces its value and keeps
 * its position.
 */
public final class Result implements Attributes {

    private final String key;
    private final long time;
    private String[] names = new String[4];
    private AttributeType[] types = new AttributeType[4];
    private long[] numbers = new long[4];
    private String[] strings = new String[4];
    private int count;

    private Result(String key, long time) {
        this.key = Objects.requireNonNull(key, "key");
        this.time = time;
    }

    /** A result for {@code event}: its key and its event time. */
    public static Result of(Event event) {
        return new Result(event.key(), event.time());
    }

    /** A result with the given key and event time (epoch milliseconds). */
    public static Result of(String key, long time) {
        return new Result(key, time);
    }

    /** The result's key. */
    public String key() {
        return key;
    }

    /** The result's event time, epoch milliseconds. */
    public long time() {
        return time;
    }

    /** Sets a string attribute. */
    public Result set(String name, String value) {
        int i = slot(name, AttributeType.STRING);
        strings[i] = Objects.requireNonNull(value, "value");
        return this;
    }

    /** Sets a 64-bit integer attribute. */
    public Result set(String name, long value) {
        int i = slot(name, AttributeType.LONG); // before reading the field: slot may grow it
        numbers[i] = value;
        return this;
    }

    /** Sets a floating point attribute. */
    public Result set(String name, double value) {
        int i = slot(name, AttributeType.DOUBLE);
        numbers[i] = Double.doubleToRawLongBits(value);
        return this;
    }

    /** Sets a boolean attribute. */
    public Result set(String name, boolean value) {
        int i = slot(name, AttributeType.BOOLEAN);
        numbers[i] = value ? 1 : 0;
        return this;
    }

    /**
     * Copies the attribute at {@code index} of {@code source} (an event's or another result's)
     * under the same name and type.
     */
    public Result copy(Attributes source, int index) {
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

    private int slot(String name, AttributeType type) {
        Objects.requireNonNull(name, "name");
        int i = indexOf(name);
        if (i < 0) {
            if (count == names.length) {
                int size = count * 2;
                names = Arrays.copyOf(names, size);
                types = Arrays.copyOf(types, size);
                numbers = Arrays.copyOf(numbers, size);
                strings = Arrays.copyOf(strings, size);
            }
            i = count++;
            names[i] = name;
        }
        types[i] = type;
        strings[i] = null;
        return i;
    }

    @Override
    public int attributeCount() {
        return count;
    }

    @Override
    public String attributeName(int index) {
        return names[check(index)];
    }

    @Override
    public AttributeType attributeType(int index) {
        return types[check(index)];
    }

    @Override
    public String stringAt(int index) {
        return strings[check(index)];
    }

    @Override
    public long longAt(int index) {
        return numbers[check(index)];
    }

    @Override
    public double doubleAt(int index) {
        return Double.longBitsToDouble(numbers[check(index)]);
    }

    @Override
    public boolean booleanAt(int index) {
        return numbers[check(index)] != 0;
    }

    private int check(int index) {
        if (index < 0 || index >= count) {
            throw new IndexOutOfBoundsException("attribute " + index + " of " + count);
        }
        return index;
    }

    @Override
    public String toString() {
        StringBuilder text =
                new StringBuilder("Result{key=").append(key).append(", time=").append(time);
        for (int i = 0; i < count; i++) {
            text.append(", ").append(names[i]).append('=').append(valueAt(i));
        }
        return text.append('}').toString();
    }
}
