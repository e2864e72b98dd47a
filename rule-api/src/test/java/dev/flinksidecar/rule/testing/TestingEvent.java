package dev.flinksidecar.rule.testing;

import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Event;
import java.util.ArrayList;
import java.util.List;

/**
 * A hand-written {@link Event} for rule tests, shipped in the rule-api test jar: {@code
 * TestingEvent.of("card-1", 5L).type("payment").with("amount", 12.5)}.
 */
public final class TestingEvent implements Event {

    private final String key;
    private final long time;
    private String type;
    private final List<String> names = new ArrayList<>();
    private final List<Object> values = new ArrayList<>();

    private TestingEvent(String key, long time) {
        this.key = key;
        this.time = time;
    }

    public static TestingEvent of(String key, long time) {
        return new TestingEvent(key, time);
    }

    /** Sets the event's type (none by default). */
    public TestingEvent type(String type) {
        this.type = type;
        return this;
    }

    /** Adds an attribute: a String, Long, Double or Boolean. */
    public TestingEvent with(String name, Object value) {
        names.add(name);
        values.add(value);
        return this;
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
        return new byte[0];
    }

    @Override
    public int attributeCount() {
        return names.size();
    }

    @Override
    public String attributeName(int index) {
        return names.get(index);
    }

    @Override
    public AttributeType attributeType(int index) {
        Object value = values.get(index);
        if (value instanceof String) {
            return AttributeType.STRING;
        } else if (value instanceof Long) {
            return AttributeType.LONG;
        } else if (value instanceof Double) {
            return AttributeType.DOUBLE;
        }
        return AttributeType.BOOLEAN;
    }

    @Override
    public String stringAt(int index) {
        return (String) values.get(index);
    }

    @Override
    public long longAt(int index) {
        return (Long) values.get(index);
    }

    @Override
    public double doubleAt(int index) {
        return (Double) values.get(index);
    }

    @Override
    public boolean booleanAt(int index) {
        return (Boolean) values.get(index);
    }
}
