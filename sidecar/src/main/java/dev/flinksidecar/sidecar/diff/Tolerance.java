package dev.flinksidecar.sidecar.diff;

import dev.flinksidecar.rule.AttributeType;
import dev.flinksidecar.rule.Attributes;

/**
 * Whether two results with the same {@link ResultId} say the same: the same attribute names (in any
 * order), strings and booleans equal, numbers (integers and doubles alike) equal within a relative
 * tolerance: {@code |a - b| <= tolerance * max(|a|, |b|)}. Two NaNs are equal, as are two equal
 * infinities. A window's value and count compare as numbers. Versions are not compared. Immutable.
 */
public final class Tolerance {

    /** The default relative tolerance: only rounding in the last bits of a double passes. */
    public static final double DEFAULT = 1e-9;

    private final double relative;

    /**
     * @throws IllegalArgumentException when {@code relative} is negative or not a number
     */
    public Tolerance(double relative) {
        if (!(relative >= 0) || Double.isInfinite(relative)) {
            throw new IllegalArgumentException(
                    "the tolerance must be a finite number >= 0, not " + relative);
        }
        this.relative = relative;
    }

    public double relative() {
        return relative;
    }

    /** Whether {@code current} and {@code candidate} agree. */
    public boolean agree(ComparedResult current, ComparedResult candidate) {
        return sameNumber(current.windowValue(), candidate.windowValue())
                && sameNumber(current.windowCount(), candidate.windowCount())
                && sameAttributes(current.attributes(), candidate.attributes());
    }

    private boolean sameAttributes(Attributes a, Attributes b) {
        int count = a.attributeCount();
        if (count != b.attributeCount()) {
            return false;
        }
        for (int i = 0; i < count; i++) {
            int j = b.indexOf(a.attributeName(i));
            if (j < 0 || !sameValue(a, i, b, j)) {
                return false;
            }
        }
        return true;
    }

    private boolean sameValue(Attributes a, int i, Attributes b, int j) {
        AttributeType typeA = a.attributeType(i);
        AttributeType typeB = b.attributeType(j);
        if (a.isNumber(i) && b.isNumber(j)) {
            if (typeA == AttributeType.LONG
                    && typeB == AttributeType.LONG
                    && a.longAt(i) == b.longAt(j)) {
                return true;
            }
            return sameNumber(a.numberAt(i), b.numberAt(j));
        }
        if (typeA != typeB) {
            return false;
        }
        return typeA == AttributeType.STRING
                ? a.stringAt(i).equals(b.stringAt(j))
                : a.booleanAt(i) == b.booleanAt(j);
    }

    /** Whether two numbers are equal within the relative tolerance. */
    public boolean sameNumber(double a, double b) {
        if (a == b || (Double.isNaN(a) && Double.isNaN(b))) {
            return true;
        }
        if (Double.isInfinite(a) || Double.isInfinite(b)) {
            return false;
        }
        return Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b));
    }
}
