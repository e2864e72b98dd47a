package dev.flinksidecar.rule;

/**
 * An ordered list of named, typed values: the attributes of an {@link Event} or a {@link Result}.
 *
 * <p>Access is by position so that reading an attribute allocates nothing: find the position once
 * with {@link #indexOf(String)}, then read it with the accessor of its type. The name-based getters
 * below are shorthands for that.
 */
public interface Attributes {

    /** The number of attributes. */
    int attributeCount();

    /** The name of the attribute at {@code index} (0-based, below {@link #attributeCount()}). */
    String attributeName(int index);

    /** The type of the attribute at {@code index}. */
    AttributeType attributeType(int index);

    /** The value of a {@link AttributeType#STRING} attribute. */
    String stringAt(int index);

    /** The value of a {@link AttributeType#LONG} attribute. */
    long longAt(int index);

    /** The value of a {@link AttributeType#DOUBLE} attribute. */
    double doubleAt(int index);

    /** The value of a {@link AttributeType#BOOLEAN} attribute. */
    boolean booleanAt(int index);

    /** The position of the attribute called {@code name}, or -1 when there is none. */
    default int indexOf(String name) {
        int count = attributeCount();
        for (int i = 0; i < count; i++) {
            if (attributeName(i).equals(name)) {
                return i;
            }
        }
        return -1;
    }

    /**
     * True when the attribute at {@code index} is a {@link AttributeType#LONG} or a {@link
     * AttributeType#DOUBLE}.
     */
    default boolean isNumber(int index) {
        AttributeType type = attributeType(index);
        return type == AttributeType.LONG || type == AttributeType.DOUBLE;
    }

    /** The value of a numeric attribute as a double, whether it is a LONG or a DOUBLE. */
    default double numberAt(int index) {
        return attributeType(index) == AttributeType.LONG ? longAt(index) : doubleAt(index);
    }

    /**
     * The value at {@code index} boxed: a {@link String}, {@link Long}, {@link Double} or {@link
     * Boolean}. Allocates for numbers; prefer the typed accessors on hot paths.
     */
    default Object valueAt(int index) {
        switch (attributeType(index)) {
            case STRING:
                return stringAt(index);
            case LONG:
                return longAt(index);
            case DOUBLE:
                return doubleAt(index);
            default:
                return booleanAt(index);
        }
    }

    /**
     * The string attribute called {@code name}, or null when there is none or it is not a string.
     */
    default String getString(String name) {
        int i = indexOf(name);
        return i >= 0 && attributeType(i) == AttributeType.STRING ? stringAt(i) : null;
    }

    /**
     * The numeric attribute called {@code name} as a double, or {@code orElse} when there is none
     * or it is not a number.
     */
    default double getNumber(String name, double orElse) {
        int i = indexOf(name);
        return i >= 0 && isNumber(i) ? numberAt(i) : orElse;
    }

    /**
     * The boolean attribute called {@code name}, or {@code orElse} when there is none or it is not
     * a boolean.
     */
    default boolean getBoolean(String name, boolean orElse) {
        int i = indexOf(name);
        return i >= 0 && attributeType(i) == AttributeType.BOOLEAN ? booleanAt(i) : orElse;
    }
}
