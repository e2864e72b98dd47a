package dev.flinksidecar.sidecar.deploy;

import dev.flinksidecar.sidecar.rules.loading.RuleLoadException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The jars a sidecar accepts when {@code sidecar.rules.allowed-digests-file} is set: a file with
 * the SHA-256 of each accepted jar, one per line, as {@code sha256sum} prints them (the digest,
 * then anything, e.g. the file name); blank lines and lines starting with {@code #} are skipped. A
 * jar whose digest is not listed is refused naming its digest, so whoever decides what runs adds
 * that line. The file is read again at each deploy: a digest added is accepted from the next deploy
 * on, without a restart.
 *
 * <p>Thread-safe (immutable; each check reads the file anew).
 */
public final class Sha256AllowList {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-fA-F]{64}");

    private static final Sha256AllowList ANY = new Sha256AllowList(null);

    private final Path file;

    private Sha256AllowList(Path file) {
        this.file = file;
    }

    /** Accepts every jar: no allow-list is set. */
    public static Sha256AllowList any() {
        return ANY;
    }

    /**
     * The allow-list in {@code file}, read once now to fail at start on a file that is missing or
     * malformed.
     *
     * @throws IOException naming the file, and the line when one is not a digest
     */
    public static Sha256AllowList of(Path file) throws IOException {
        Sha256AllowList list = new Sha256AllowList(file.toAbsolutePath());
        list.digests();
        return list;
    }

    /**
     * Refuses a jar whose SHA-256 {@code sha256} (hex) the file does not list.
     *
     * @throws RuleLoadException naming the jar, its digest and the file; or the file when it cannot
     *     be read
     */
    public void check(String fileName, String sha256) throws RuleLoadException {
        if (file == null) {
            return;
        }
        Set<String> digests;
        try {
            digests = digests();
        } catch (IOException e) {
            throw new RuleLoadException(
                    "rule jar " + fileName + " refused: the allow-list " + e.getMessage());
        }
        if (!digests.contains(sha256.toLowerCase(Locale.ROOT))) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + " refused: its SHA-256 "
                            + sha256
                            + " is not in the allow-list "
                            + file
                            + " (sidecar.rules.allowed-digests-file)");
        }
    }

    private Set<String> digests() throws IOException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new IOException("file " + file + " cannot be read: " + e, e);
        }
        Set<String> digests = new HashSet<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String digest = line.split("\\s+", 2)[0];
            if (!DIGEST.matcher(digest).matches()) {
                throw new IOException(
                        "file "
                                + file
                                + " line "
                                + (i + 1)
                                + " does not start with a SHA-256 (64 hex digits): "
                                + line);
            }
            digests.add(digest.toLowerCase(Locale.ROOT));
        }
        return digests;
    }

    @Override
    public String toString() {
        return file == null ? "any jar" : "jars listed in " + file;
    }
}
