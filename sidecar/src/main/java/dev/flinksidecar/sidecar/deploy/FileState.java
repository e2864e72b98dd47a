package dev.flinksidecar.sidecar.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;

/**
 * What the rules directory watcher compares between polls for one rule: size and modification time
 * of {@code NAME.jar} and of {@code NAME.json} (absent: -1).
 */
final class FileState {

    private final long jarSize;
    private final long jarModified;
    private final long configSize;
    private final long configModified;

    private FileState(long jarSize, long jarModified, long configSize, long configModified) {
        this.jarSize = jarSize;
        this.jarModified = jarModified;
        this.configSize = configSize;
        this.configModified = configModified;
    }

    /** The state of {@code jar} and the config beside it; null when the jar is gone. */
    static FileState of(Path jar, Path config) {
        long[] j = stat(jar);
        if (j == null) {
            return null;
        }
        long[] c = stat(config);
        return new FileState(j[0], j[1], c == null ? -1 : c[0], c == null ? -1 : c[1]);
    }

    /** The jar's size now, to check that what was read is what was stat'ed. */
    long jarSize() {
        return jarSize;
    }

    private static long[] stat(Path file) {
        try {
            BasicFileAttributes attributes =
                    Files.readAttributes(
                            file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (attributes
                    .isSymbolicLink()) { // e.g. Kubernetes ConfigMap files: follow to the real file
                attributes = Files.readAttributes(file, BasicFileAttributes.class);
            }
            return attributes.isRegularFile()
                    ? new long[] {attributes.size(), attributes.lastModifiedTime().toMillis()}
                    : null;
        } catch (IOException e) {
            return null;
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof FileState)) {
            return false;
        }
        FileState s = (FileState) o;
        return jarSize == s.jarSize
                && jarModified == s.jarModified
                && configSize == s.configSize
                && configModified == s.configModified;
    }

    @Override
    public int hashCode() {
        return Objects.hash(jarSize, jarModified, configSize, configModified);
    }

    @Override
    public String toString() {
        return "jar "
                + jarSize
                + " bytes @"
                + jarModified
                + ", config "
                + configSize
                + " bytes @"
                + configModified;
    }
}
