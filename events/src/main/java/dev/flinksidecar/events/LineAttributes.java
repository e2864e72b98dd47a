package dev.flinksidecar.events;

import dev.flinksidecar.rule.AttributeType;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

/**
 * The attributes of the event line being parsed, by slot: names and types, values (a string, or a
 * number's bits), names given twice found, and the record's arrays. Records of the same schema as
 * the previous one share its name and type arrays; the value arrays are made for each line the size
 * of the previous line's, so that the record mostly takes them as they are, not copies of them. One
 * thread.
 */
final class LineAttributes {

    /** Above this many attributes, duplicate names are found with a hash set, not by scanning. */
    private static final int SCAN_LIMIT = 16;

    private String[] names = new String[8];
    private AttributeType[] types = new AttributeType[8];
    private long[] numbers;
    private String[] strings;
    private int count;
    private final Set<String> seen = new HashSet<>();
    private boolean sharedPrefix; // the names so far are the first of sharedNames, the same strings

    // The previous event's attribute names and types, given to the next one of the same schema.
    private String[] sharedNames = new String[0];
    private AttributeType[] sharedTypes = new AttributeType[0];

    /** Starts a line: no attributes. */
    void reset() {
        count = 0;
        numbers = new long[sharedNames.length];
        strings = new String[sharedNames.length];
        seen.clear();
        sharedPrefix = true;
    }

    /** The next slot, for attribute {@code name}; -1 when the line has that name already. */
    int slot(String name) {
        // The previous record's names are distinct: while this line's are the same ones in the
        // same order (the same strings, from the separators or the cache), none can be a duplicate.
        sharedPrefix &= count < sharedNames.length && name == sharedNames[count];
        if (!sharedPrefix && seenBefore(name)) {
            return -1;
        }
        if (count == names.length) {
            names = Arrays.copyOf(names, count * 2);
            types = Arrays.copyOf(types, count * 2);
        }
        if (count == numbers.length) {
            numbers = Arrays.copyOf(numbers, Math.max(8, count * 2));
            strings = Arrays.copyOf(strings, Math.max(8, count * 2));
        }
        names[count] = name;
        return count++;
    }

    private boolean seenBefore(String name) {
        if (count < SCAN_LIMIT) {
            int hash = name.hashCode(); // kept in the string: names from the cache pay for it once
            for (int i = 0; i < count; i++) {
                if (names[i].hashCode() == hash && names[i].equals(name)) {
                    return true;
                }
            }
            return false;
        }
        if (seen.isEmpty()) { // the first name past the limit, or past a shared prefix as long
            seen.addAll(Arrays.asList(names).subList(0, count));
        }
        return !seen.add(name);
    }

    /** Slot {@code i} holds a string. */
    void string(int i, String value) {
        types[i] = AttributeType.STRING;
        strings[i] = value;
    }

    /** Slot {@code i} holds a number or a boolean: its bits as {@link EventRecord} keeps them. */
    void number(int i, AttributeType type, long bits) {
        types[i] = type;
        numbers[i] = bits;
    }

    /** The record of the line's attributes; the value arrays are the record's from then on. */
    EventRecord record(String key, long time, String type) {
        String[] eventNames = sharedNames;
        AttributeType[] eventTypes = sharedTypes;
        if (!sameSchema()) {
            eventNames = Arrays.copyOf(names, count);
            eventTypes = Arrays.copyOf(types, count);
            sharedNames = eventNames;
            sharedTypes = eventTypes;
        }
        return new EventRecord(
                key,
                time,
                type,
                eventNames,
                eventTypes,
                count == numbers.length ? numbers : Arrays.copyOf(numbers, count),
                count == strings.length ? strings : Arrays.copyOf(strings, count),
                null);
    }

    private boolean sameSchema() {
        if (sharedNames.length != count) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            if (types[i] != sharedTypes[i] || (!sharedPrefix && !names[i].equals(sharedNames[i]))) {
                return false;
            }
        }
        return true;
    }
}
