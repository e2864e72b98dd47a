package dev.flinksidecar.sidecar.deploy;

/**
 * Which entry of a rule's timeline a session should run at a given point of its stream; the
 * registry then moves the session there only if that is forward.
 *
 * <pre>
 *   newest entry is per-event (immediate), or the session sends no barriers:  the newest entry
 *   otherwise, for a session that sends barriers:
 *     OPEN     restored from checkpoint C: the entry in force right after barrier C
 *              started fresh:              the newest entry some session reached
 *     BATCH    no change (windowed versions change only at barriers)
 *     BARRIER  N: the entry in force right after barrier N
 * </pre>
 */
final class Selection {

    private Selection() {}

    /** The entry to run, or null for no change. Under the {@link Timelines} lock. */
    static Activation choose(
            RuleTimeline timeline, SessionFeed feed, SessionFeed.Point point, long checkpointId) {
        Activation latest = timeline.latest();
        if (latest == null) {
            return null;
        }
        if (latest.immediate || !feed.barriers) {
            return latest;
        }
        switch (point) {
            case OPEN:
                return feed.restoredCheckpoint > 0
                        ? timeline.atCheckpoint(feed.restoredCheckpoint)
                        : timeline.latestReached();
            case BARRIER:
                return timeline.atCheckpoint(checkpointId);
            default:
                return null;
        }
    }
}
