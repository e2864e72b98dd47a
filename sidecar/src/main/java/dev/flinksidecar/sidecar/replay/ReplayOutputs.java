package dev.flinksidecar.sidecar.replay;

import java.io.BufferedWriter;
import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The files {@code replay} writes, JSON Lines in UTF-8: results, dead letters (optional) and late
 * events (optional). Parent folders are created.
 */
final class ReplayOutputs implements Closeable {

    private final Writer results;
    private final Writer deadLetters;
    private final Writer late;

    private ReplayOutputs(Writer results, Writer deadLetters, Writer late) {
        this.results = results;
        this.deadLetters = deadLetters;
        this.late = late;
    }

    /** Creates (or truncates) the outputs; {@code deadLetters} and {@code late} may be null. */
    static ReplayOutputs open(Path results, Path deadLetters, Path late) throws IOException {
        Writer resultWriter = create(results);
        Writer deadWriter = null;
        try {
            deadWriter = deadLetters == null ? null : create(deadLetters);
            Writer lateWriter = late == null ? null : create(late);
            return new ReplayOutputs(resultWriter, deadWriter, lateWriter);
        } catch (IOException e) {
            resultWriter.close();
            if (deadWriter != null) {
                deadWriter.close();
            }
            throw e;
        }
    }

    /** Creates (or truncates) {@code file}, buffered, UTF-8, with its parent folders. */
    static Writer create(Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        return new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8), 1 << 16);
    }

    Writer results() {
        return results;
    }

    /**
     * Writes one dead-letter line, or drops it when no dead-letter output was given (it is still
     * counted).
     */
    void deadLetter(String line) throws IOException {
        if (deadLetters != null) {
            deadLetters.write(line);
            deadLetters.write('\n');
        }
    }

    /**
     * Writes one late-event line, or drops it when no late output was given (it is still counted).
     */
    void late(String line) throws IOException {
        if (late != null) {
            late.write(line);
            late.write('\n');
        }
    }

    boolean writesDeadLetters() {
        return deadLetters != null;
    }

    @Override
    public void close() throws IOException {
        IOException failure = null;
        for (Writer writer : new Writer[] {results, deadLetters, late}) {
            try {
                if (writer != null) {
                    writer.close();
                }
            } catch (IOException e) {
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
