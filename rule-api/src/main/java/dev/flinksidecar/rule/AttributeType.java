package dev.flinksidecar.rule;

/** The type of one attribute value of an {@link Event} or a {@link Result}. */
public enum AttributeType {
    /** A string. Read with {@link Attributes#stringAt(int)}. */
    STRING,
    /**
     * A 64-bit integer. Read with {@link Attributes#longAt(int)} or {@link
     * Attributes#numberAt(int)}.
     */
    LONG,
    /**
     * A 64-bit floating point number. Read with {@link Attributes#doubleAt(int)} or {@link
     * Attributes#numberAt(int)}.
     */
    DOUBLE,
    /** A boolean. Read with {@link Attributes#booleanAt(int)}. */
    BOOLEAN
}
