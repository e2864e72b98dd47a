package dev.flinksidecar.events;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.flinksidecar.proto.Event;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Reads an event file, one {@link Entry} at a time: an event, or the reason a line is not one. A
 * malformed record never stops the reading; the caller sends it to the dead letters.
 *
 * <p>JSON Lines are split and parsed as bytes ({@link EventLineParser}): a line that is not UTF-8,
 * not JSON, nested too deep or not an event is one malformed entry with the reason, and its text
 * (invalid bytes shown as U+FFFD) goes into the dead letter. A line longer than the limit ({@link
 * #DEFAULT_MAX_LINE_BYTES}, 1 MiB, unless the caller gives another: replay's {@code
 * --max-line-bytes}, the job's {@code max-line-bytes}) is one malformed entry with its first KiB,
 * read without ever holding the line whole; the reading goes on after its line break.
 *
 * <p>A broken length prefix in a protobuf file cannot be skipped over: it ends the file with one
 * malformed entry that says so.
 */
public final class EventFileReader implements Closeable {

    /** The longest JSON line read as an event unless the caller gives another limit: 1 MiB. */
    public static final int DEFAULT_MAX_LINE_BYTES = ByteLines.MAX_LINE_BYTES;

    private final String file;
    private final EventFormat format;
    private final InputStream in;
    private final ByteLines lines;
    private final EventLineParser parser;
    private long line;
    private boolean ended;

    private EventFileReader(String file, InputStream in, EventFormat format, int maxLineBytes) {
        this.file = file;
        this.format = format;
        this.in =
                format == EventFormat.DELIMITED_PROTOBUF
                        ? new BufferedInputStream(in, 1 << 16)
                        : in;
        this.lines = format == EventFormat.JSON_LINES ? new ByteLines(in, maxLineBytes) : null;
        this.parser = format == EventFormat.JSON_LINES ? new EventLineParser() : null;
    }

    /** Opens a file; its format follows from its name ({@link EventFormat#of}). */
    public static EventFileReader open(Path path) throws IOException {
        return open(path, DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Opens a file whose JSON lines are events up to {@code maxLineBytes} long (see {@link
     * #checkMaxLineBytes}).
     */
    public static EventFileReader open(Path path, int maxLineBytes) throws IOException {
        checkMaxLineBytes(maxLineBytes);
        String name = path.getFileName().toString();
        return new EventFileReader(
                name, Files.newInputStream(path), EventFormat.of(name), maxLineBytes);
    }

    /** Reads a stream; {@code fileName} names it in entries (and dead letters). */
    public static EventFileReader open(String fileName, InputStream in, EventFormat format) {
        return open(fileName, in, format, DEFAULT_MAX_LINE_BYTES);
    }

    /**
     * Reads a stream whose JSON lines are events up to {@code maxLineBytes} long (see {@link
     * #checkMaxLineBytes}); {@code fileName} names it in entries (and dead letters).
     */
    public static EventFileReader open(
            String fileName, InputStream in, EventFormat format, int maxLineBytes) {
        checkMaxLineBytes(maxLineBytes);
        return new EventFileReader(fileName, in, format, maxLineBytes);
    }

    /**
     * Checks a limit on the length of event lines given by a user: 1 byte to 1 GiB.
     *
     * @throws IllegalArgumentException saying the range, when it is outside
     */
    public static void checkMaxLineBytes(long maxLineBytes) {
        ByteLines.checkLimit(maxLineBytes);
    }

    /**
     * The input files at {@code fileOrDir}: the file itself, or the regular, non-hidden files of
     * the folder sorted by name.
     */
    public static List<Path> inputFiles(Path fileOrDir) throws IOException {
        if (!Files.exists(fileOrDir)) {
            throw new IOException("input " + fileOrDir + " does not exist");
        }
        if (!Files.isDirectory(fileOrDir)) {
            return List.of(fileOrDir);
        }
        try (Stream<Path> children = Files.list(fileOrDir)) {
            return children.filter(Files::isRegularFile)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted()
                    .collect(Collectors.toCollection(ArrayList::new));
        }
    }

    /** The next entry, or null at the end of the file. */
    public Entry next() throws IOException {
        if (ended) {
            return null;
        }
        return format == EventFormat.JSON_LINES ? nextLine() : nextRecord();
    }

    private Entry nextLine() throws IOException {
        byte[] bytes;
        int start;
        int length;
        do {
            if (!lines.next()) {
                ended = true;
                return null;
            }
            line++;
            bytes = lines.buffer();
            start = lines.lineStart();
            length = lines.lineLength();
        } while (!lines.tooLong() && blank(bytes, start, length));
        if (lines.tooLong()) {
            return new Entry(
                    file,
                    line,
                    null,
                    "the line is longer than "
                            + lines.maxLineBytes()
                            + " bytes; its first "
                            + length
                            + " bytes are kept in \"raw\"",
                    new String(bytes, start, length, StandardCharsets.UTF_8));
        }
        try {
            return new Entry(file, line, parser.parse(bytes, start, length), null, null);
        } catch (MalformedEventException e) {
            return new Entry(
                    file,
                    line,
                    null,
                    e.getMessage(),
                    new String(bytes, start, length, StandardCharsets.UTF_8));
        }
    }

    /**
     * True for a line of white space only ({@link String#isBlank()}, as when lines were read as
     * text); a line with other bytes than ASCII is decoded to tell.
     */
    private static boolean blank(byte[] bytes, int start, int length) {
        for (int i = start, end = start + length; i < end; i++) {
            byte b = bytes[i];
            if (b < 0) {
                return new String(bytes, start, length, StandardCharsets.UTF_8).isBlank();
            } else if (!Character.isWhitespace(b)) {
                return false;
            }
        }
        return true;
    }

    private Entry nextRecord() throws IOException {
        line++;
        Event proto;
        try {
            proto = Event.parseDelimitedFrom(in);
        } catch (InvalidProtocolBufferException e) {
            ended = true;
            return new Entry(
                    file,
                    line,
                    null,
                    "not a length-delimited protobuf Event: " + e.getMessage(),
                    null);
        }
        if (proto == null) {
            ended = true;
            return null;
        }
        try {
            return new Entry(file, line, EventProtos.fromProto(proto), null, null);
        } catch (MalformedEventException e) {
            return new Entry(file, line, null, e.getMessage(), null);
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** One record of an event file: an event, or why the record is not one. */
    public static final class Entry {
        private final String file;
        private final long line;
        private final EventRecord event;
        private final String error;
        private final String raw;

        Entry(String file, long line, EventRecord event, String error, String raw) {
            this.file = file;
            this.line = line;
            this.event = event;
            this.error = error;
            this.raw = raw;
        }

        /** The file's base name. */
        public String file() {
            return file;
        }

        /** The 1-based line (JSON Lines) or record number (protobuf). */
        public long line() {
            return line;
        }

        /** The event, or null when the record is malformed. */
        public EventRecord event() {
            return event;
        }

        /** Why the record is malformed, or null. */
        public String error() {
            return error;
        }

        /**
         * The malformed line's text (JSON Lines only; bytes that are not UTF-8 shown as U+FFFD),
         * else null.
         */
        public String raw() {
            return raw;
        }

        /** This malformed entry as a dead-letter line. */
        public String deadLetter() {
            return DeadLetters.malformed(file, line, error, raw);
        }
    }
}
