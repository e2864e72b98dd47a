package dev.flinksidecar.sidecar.state;

import dev.flinksidecar.rule.WindowAssigner;
import java.time.Duration;
import java.util.Objects;

/**
 * Which windowed rule wrote a section of a key's state, as the state names it: the rule id, its
 * class (by {@link #classHash(String) hash}), the version, the declared state layout, the windows
 * and the allowed lateness. Enough to find the instance a restored section belongs to, or to decide
 * by the swap rule whether another version may take its windows over.
 *
 * <p>Immutable. Its encoded form is computed once and copied into every key's state.
 */
public final class RuleSection {

    private final String ruleId;
    private final int classHash;
    private final String version;
    private final String layout;
    private final WindowAssigner windows;
    private final long latenessMs;
    private byte[] encoded;

    /**
     * @param layout the rule's {@code stateLayout()}, or null when it declares none
     */
    public RuleSection(
            String ruleId,
            int classHash,
            String version,
            String layout,
            WindowAssigner windows,
            long latenessMs) {
        this.ruleId = Objects.requireNonNull(ruleId, "ruleId");
        this.classHash = classHash;
        this.version = Objects.requireNonNull(version, "version");
        this.layout = layout;
        this.windows = Objects.requireNonNull(windows, "windows");
        this.latenessMs = latenessMs;
    }

    /**
     * How the state names a rule class: the Java {@code String.hashCode} of its binary name (stable
     * across JVMs by the language specification). One rule version may hold several windowed
     * classes; four bytes tell them apart without repeating the class name in every key.
     */
    public static int classHash(String className) {
        return className.hashCode();
    }

    public String ruleId() {
        return ruleId;
    }

    public int classHash() {
        return classHash;
    }

    public String version() {
        return version;
    }

    public WindowAssigner windows() {
        return windows;
    }

    /** True when both name the same class of the same version of the same rule. */
    public boolean sameInstanceAs(RuleSection other) {
        return ruleId.equals(other.ruleId)
                && classHash == other.classHash
                && version.equals(other.version);
    }

    /**
     * The swap rule (the same as at a hot swap): {@code successor}, the same class of another
     * version, may take these windows over when both declare the same non-null layout and the same
     * windows and lateness.
     */
    public boolean adoptableBy(RuleSection successor) {
        return ruleId.equals(successor.ruleId)
                && classHash == successor.classHash
                && layout != null
                && layout.equals(successor.layout)
                && windows.equals(successor.windows)
                && latenessMs == successor.latenessMs;
    }

    /** The section's header in the state format (STATE-FORMAT.md), before its window count. */
    byte[] encoded() {
        if (encoded == null) {
            StateBuffer out = new StateBuffer(64);
            out.writeString(ruleId);
            out.writeInt(classHash);
            out.writeString(version);
            out.writeOptionalString(layout);
            switch (windows.type()) {
                case TUMBLING:
                    out.write(StateFormat.TUMBLING);
                    out.writeVarint(windows.size());
                    out.writeZigzag(windows.offset());
                    break;
                case SLIDING:
                    out.write(StateFormat.SLIDING);
                    out.writeVarint(windows.size());
                    out.writeVarint(windows.slide());
                    out.writeZigzag(windows.offset());
                    break;
                default:
                    out.write(StateFormat.SESSION);
                    out.writeVarint(windows.gap());
            }
            out.writeVarint(latenessMs);
            encoded = out.toByteArray();
        }
        return encoded;
    }

    /** Reads a header written by {@link #encoded()}. */
    static RuleSection read(StateCursor in) throws StateFormatException {
        String ruleId = in.readString();
        in.at("the section of rule '" + ruleId + "'");
        int classHash = in.readInt();
        String version = in.readString();
        String layout = in.readOptionalString();
        int kind = in.readByte();
        WindowAssigner windows;
        try {
            switch (kind) {
                case StateFormat.TUMBLING:
                    windows =
                            WindowAssigner.tumbling(
                                    Duration.ofMillis(in.readVarint()),
                                    Duration.ofMillis(in.readZigzag()));
                    break;
                case StateFormat.SLIDING:
                    windows =
                            WindowAssigner.sliding(
                                    Duration.ofMillis(in.readVarint()),
                                    Duration.ofMillis(in.readVarint()),
                                    Duration.ofMillis(in.readZigzag()));
                    break;
                case StateFormat.SESSION:
                    windows = WindowAssigner.session(Duration.ofMillis(in.readVarint()));
                    break;
                default:
                    throw in.corrupt(
                            "window kind "
                                    + kind
                                    + " is not one of 1 (tumbling), 2 (sliding), 3 (session)");
            }
        } catch (IllegalArgumentException e) {
            throw in.corrupt(e.getMessage());
        }
        long lateness = in.readVarint();
        if (lateness < 0) {
            throw in.corrupt(
                    "allowed lateness " + Long.toUnsignedString(lateness) + " ms is out of range");
        }
        return new RuleSection(ruleId, classHash, version, layout, windows, lateness);
    }

    /**
     * E.g. {@code sum@1.0.0+3f2a9c1 (class #1a2b3c4d, tumbling(10s), lateness 0 ms, layout sum/1)}.
     */
    @Override
    public String toString() {
        return ruleId
                + "@"
                + version
                + " (class #"
                + Integer.toHexString(classHash)
                + ", "
                + windows
                + ", lateness "
                + latenessMs
                + " ms"
                + (layout == null ? ", no layout" : ", layout " + layout)
                + ")";
    }
}
