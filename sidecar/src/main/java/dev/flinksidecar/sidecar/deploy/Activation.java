package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;

/**
 * One entry of a rule's timeline: from which point of the stream sessions run {@link #version}
 * (null: the rule is removed from there on).
 *
 * <ul>
 *   <li>{@link #immediate}: neither this version nor the one before it is windowed, so sessions
 *       switch at their next batch boundary;
 *   <li>otherwise sessions that send checkpoint barriers switch right after the first barrier whose
 *       id is at least {@link #fromCheckpoint} (the first checkpoint that no session had reached
 *       when it was deployed); sessions without barriers switch at their next batch.
 * </ul>
 *
 * <p>{@link #reached}: some session switched to it, or it was deployed while no session could be
 * switched at a barrier; a fresh session starts with the newest reached entry. {@link #stateUntil}:
 * see {@link RuleTimeline#prune}. Guarded by the {@link Timelines} lock.
 */
final class Activation {

    final long seq;
    final RuleVersion version;
    final VersionRecord record;
    final long fromCheckpoint;
    final boolean immediate;
    boolean reached;

    /**
     * The last checkpoint whose state, in some session, held windows that this version was
     * finishing after a newer one took over (0: none): a restore from it needs this version.
     */
    long stateUntil;

    Activation(
            long seq,
            RuleVersion version,
            VersionRecord record,
            long fromCheckpoint,
            boolean immediate) {
        this.seq = seq;
        this.version = version;
        this.record = record;
        this.fromCheckpoint = fromCheckpoint;
        this.immediate = immediate;
    }

    boolean removal() {
        return version == null;
    }

    boolean windowed() {
        return version != null && version.windowed();
    }

    /**
     * How sessions take it, for the admin's answer, e.g. {@code active (per-event rule, each
     * session switches at its next batch)}.
     */
    String describe() {
        String what = removal() ? "" : windowed() ? "windowed rule, " : "per-event rule, ";
        if (immediate) {
            return "active (".concat(what).concat("each session switches at its next batch)");
        }
        if (reached) {
            return "active ("
                    .concat(what)
                    .concat(
                            "no session sends checkpoint barriers: each switches at its next batch)");
        }
        return "staged ("
                + what
                + "every session switches right after checkpoint barrier "
                + fromCheckpoint
                + ")";
    }

    @Override
    public String toString() {
        return (version == null ? "removal" : version.toString())
                + " #"
                + seq
                + (immediate ? " now" : " from checkpoint " + fromCheckpoint)
                + (reached ? " (reached)" : "");
    }
}
