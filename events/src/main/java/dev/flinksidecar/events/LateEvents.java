package dev.flinksidecar.events;

import dev.flinksidecar.events.json.JsonWriter;
import dev.flinksidecar.rule.Event;

/**
 * Late-event lines: events that a windowed rule dropped because they came after the watermark had
 * passed every window they belong to plus the allowed lateness (Flink's late side output), as JSON
 * Lines in the job's {@code DIR/late/} and {@code replay --late-output}. The event is written
 * exactly as {@link EventJson} writes it, so the lines can be unwrapped and replayed.
 *
 * <pre>
 * {"rule":"windowed-aggregate","version":"1.0.0","event":{"key":"card-0042","time":1767225600123,"type":"payment","amount":12.5}}
 * </pre>
 */
public final class LateEvents {

    private LateEvents() {}

    /**
     * The line for {@code event}, found late by the windowed rule {@code rule} at {@code version}.
     */
    public static String line(String rule, String version, Event event) {
        StringBuilder out = new StringBuilder(160);
        out.append("{\"rule\":");
        JsonWriter.string(out, rule);
        out.append(",\"version\":");
        JsonWriter.string(out, version);
        out.append(",\"event\":");
        EventJson.append(out, event);
        return out.append('}').toString();
    }
}
