package dev.flinksidecar.sidecar.deploy;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sidecar's private copies of deployed rule jars: a classloader reads its jar for as long as it
 * lives, so it must never read a file that someone may overwrite (the rules directory) or that
 * exists only as bytes (an admin deploy). One file per content ({@code SHA-256 prefix + name}),
 * written once, atomically, counted by the versions that refer to it, deleted when the last one is
 * forgotten.
 *
 * <p>Thread-safe.
 */
public final class ArtifactStore implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ArtifactStore.class);

    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FOLDER =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    private static final FileAttribute<Set<PosixFilePermission>> OWNER_ONLY_FILE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"));
    private static final int MAX_NAME_ATTEMPTS = 100;

    private final Path dir;
    private final boolean owned;
    private final Map<Path, Integer> uses = new HashMap<>();

    private ArtifactStore(Path dir, boolean owned) {
        this.dir = dir;
        this.owned = owned;
    }

    /**
     * A store in {@code dir}, created {@code rwx------} if needed (its parents as usual); or, when
     * {@code dir} is null, in a new folder {@code flink-sidecar-rules-*} of {@code java.io.tmpdir}
     * that {@link #close()} deletes. Either way only this user can read the folder and the jars in
     * it ({@code rw-------}), whatever the umask: another user who could replace a jar there would
     * run code as the sidecar's user.
     *
     * @throws IOException also when an existing {@code dir} is not {@code rwx------}, naming it
     */
    public static ArtifactStore open(Path dir) throws IOException {
        if (dir == null) {
            Path temp = Path.of(System.getProperty("java.io.tmpdir"));
            return new ArtifactStore(createUnique(temp, "flink-sidecar-rules-", "", true), true);
        }
        if (Files.notExists(dir)) {
            Files.createDirectories(dir.toAbsolutePath().getParent());
            try {
                Files.createDirectory(dir, OWNER_ONLY_FOLDER);
                Files.setPosixFilePermissions(dir, OWNER_ONLY_FOLDER.value());
            } catch (FileAlreadyExistsException raced) {
                // made by someone else meanwhile: checked below like any existing folder
            }
        }
        Set<PosixFilePermission> mode = Files.getPosixFilePermissions(dir);
        if (!mode.equals(OWNER_ONLY_FOLDER.value())) {
            throw new IOException(
                    "rule jar store "
                            + dir.toAbsolutePath()
                            + " is "
                            + PosixFilePermissions.toString(mode)
                            + "; it must be rwx------ (only the sidecar's user may write the jars it"
                            + " runs): chmod 700 it or name a new folder");
        }
        return new ArtifactStore(dir, false);
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /**
     * Stores {@code bytes} (if not there yet) and counts one use of the file; returns it.
     *
     * @param sha256 the SHA-256 of {@code bytes} in hex ({@code ContentHash.digest} has it)
     */
    synchronized Path store(String fileName, byte[] bytes, String sha256) throws IOException {
        String safeName = fileName.replaceAll("[^A-Za-z0-9._-]", "_");
        Path file = dir.resolve(sha256.substring(0, 16).concat("-").concat(safeName));
        if (!Files.exists(file)) {
            Path temp = createUnique(dir, ".incoming-", ".jar", false);
            Files.write(temp, bytes);
            Files.move(
                    temp,
                    file,
                    StandardCopyOption.ATOMIC_MOVE,
                    StandardCopyOption.REPLACE_EXISTING);
        }
        uses.merge(file, 1, Integer::sum);
        return file;
    }

    /**
     * A new folder or file in {@code parent}, named {@code prefix + unique + suffix}, that only
     * this user can read and write ({@code rwx------}, {@code rw-------}, whatever the umask), as
     * {@code Files.createTempDirectory} and {@code createTempFile} make them. Not made by those:
     * their random names start {@code SecureRandom} and with it the JCA providers, about 25 ms of
     * the sidecar's start (BENCHMARKS.md, StartupFootprint). Creating fails when the name exists
     * (as anything, a link too), so a name taken by anyone is skipped.
     */
    private static Path createUnique(Path parent, String prefix, String suffix, boolean folder)
            throws IOException {
        for (int attempt = 1; ; attempt++) {
            Path path =
                    parent.resolve(
                            prefix.concat(Long.toHexString(System.nanoTime())).concat(suffix));
            try {
                Path created =
                        folder
                                ? Files.createDirectory(path, OWNER_ONLY_FOLDER)
                                : Files.createFile(path, OWNER_ONLY_FILE);
                // the umask may have taken bits away (never added any): set the mode exactly
                Files.setPosixFilePermissions(
                        created, (folder ? OWNER_ONLY_FOLDER : OWNER_ONLY_FILE).value());
                return created;
            } catch (FileAlreadyExistsException taken) {
                if (attempt == MAX_NAME_ATTEMPTS) {
                    throw taken;
                }
            }
        }
    }

    /** Counts another use of a stored file. */
    synchronized void retain(Path file) {
        uses.merge(file, 1, Integer::sum);
    }

    /** Ends one use of a stored file; deletes it after the last. */
    synchronized void release(Path file) {
        Integer left = uses.computeIfPresent(file, (f, n) -> n > 1 ? n - 1 : null);
        if (left == null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException e) {
                LOG.warn("could not delete {}: {}", file, e.toString());
            }
        }
    }

    /** Stored files now (for tests and status). */
    public synchronized int size() {
        return uses.size();
    }

    /** Deletes the folder when this store made it. */
    @Override
    public synchronized void close() {
        if (!owned) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            List<Path> files = walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (Path file : files) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", dir, e.toString());
        }
    }
}
