package dev.flinksidecar.events;

import java.util.Locale;

/** The two event file formats, told apart by the file name's extension. */
public enum EventFormat {
    /** One JSON object per line ({@link EventJson}). The default for any other extension. */
    JSON_LINES,
    /** Length-delimited protobuf {@code Event} messages ({@code Event.writeDelimitedTo}). */
    DELIMITED_PROTOBUF;

    /**
     * {@code .pb}, {@code .bin}, {@code .protobuf}, {@code .pbdelim}: protobuf; anything else JSON
     * Lines.
     */
    public static EventFormat of(String fileName) {
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".pb")
                || name.endsWith(".bin")
                || name.endsWith(".protobuf")
                || name.endsWith(".pbdelim")) {
            return DELIMITED_PROTOBUF;
        }
        return JSON_LINES;
    }
}
