package dev.flinksidecar.sidecar.rules.running;

import dev.flinksidecar.sidecar.rules.loading.RuleVersion;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which rule versions were deep in a call when the sidecar last died, so that a rule that exhausts
 * the heap or kills the JVM comes back quarantined after the restart instead of killing it again
 * when the operator sends the same batch once more.
 *
 * <p>A small memory-mapped file of {@value #SLOTS} slots, one per watched session. The {@link
 * RuleWatchdog} writes a session's slot when it finds the session's thread in one rule call for two
 * ticks or more (a rule at work for a while: what fills a heap does), and clears it when the call
 * is over; the engine's thread never writes here. The operating system keeps what was written when
 * the JVM dies, however it dies; the next start reads the slots left ({@link #takeSuspects}) and
 * clears them. Short calls are never written, so the rules that happened to run elsewhere at the
 * moment of death are not blamed.
 *
 * <p>Threads: the watchdog's, and the starting thread before sessions open.
 */
public final class CrashRecord implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CrashRecord.class);

    static final int SLOTS = 64;
    private static final int SLOT_BYTES = 256;

    /** A version found in a long call when the sidecar died. */
    public record Suspect(String id, String version, String call) {}

    private final Path file;
    private final FileChannel channel;
    private final MappedByteBuffer map;
    private final String[] written = new String[SLOTS];
    private final boolean[] taken = new boolean[SLOTS];

    private CrashRecord(Path file, FileChannel channel, MappedByteBuffer map) {
        this.file = file;
        this.channel = channel;
        this.map = map;
    }

    /**
     * Opens (creating it, owner-only) the record at {@code file}.
     *
     * @throws IOException when it cannot be created or mapped
     */
    public static CrashRecord open(Path file) throws IOException {
        FileChannel channel =
                FileChannel.open(
                        file,
                        Set.of(
                                StandardOpenOption.CREATE,
                                StandardOpenOption.READ,
                                StandardOpenOption.WRITE),
                        PosixFilePermissions.asFileAttribute(
                                PosixFilePermissions.fromString("rw-------")));
        // created owner-only at once; one left by an earlier run is made so too
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        MappedByteBuffer map =
                channel.map(FileChannel.MapMode.READ_WRITE, 0, (long) SLOTS * SLOT_BYTES);
        return new CrashRecord(file, channel, map);
    }

    /**
     * The versions the slots name (left by a sidecar that died in their calls), once each; clears
     * the slots.
     */
    public synchronized List<Suspect> takeSuspects() {
        List<Suspect> suspects = new ArrayList<>();
        for (int slot = 0; slot < SLOTS; slot++) {
            String text = read(slot);
            if (text != null) {
                String[] parts = text.split("\t", 3);
                if (parts.length == 3) {
                    Suspect suspect = new Suspect(parts[0], parts[1], parts[2]);
                    if (suspects.stream()
                            .noneMatch(
                                    s ->
                                            s.id().equals(suspect.id())
                                                    && s.version().equals(suspect.version()))) {
                        suspects.add(suspect);
                    }
                } else {
                    LOG.warn("{}: slot {} holds no rule version, ignored: {}", file, slot, text);
                }
                write(slot, null);
            }
        }
        return suspects;
    }

    /** A slot for one watched session, or -1 when all are taken (the session is not recorded). */
    synchronized int takeSlot() {
        for (int slot = 0; slot < SLOTS; slot++) {
            if (!taken[slot]) {
                taken[slot] = true;
                return slot;
            }
        }
        return -1;
    }

    /** Gives a session's slot back, cleared. */
    synchronized void giveBack(int slot) {
        if (slot >= 0) {
            write(slot, null);
            taken[slot] = false;
        }
    }

    /**
     * The session of {@code slot} is deep in a call of {@code version}: {@code call} says where.
     */
    synchronized void inLongCall(int slot, RuleVersion version, String call) {
        if (slot >= 0) {
            write(slot, version.id() + "\t" + version.version() + "\t" + call);
        }
    }

    /** The session of {@code slot} is not in a long call (any more). */
    synchronized void clear(int slot) {
        if (slot >= 0 && written[slot] != null) {
            write(slot, null);
        }
    }

    private String read(int slot) {
        int at = slot * SLOT_BYTES;
        int length = map.getShort(at) & 0xffff;
        if (length == 0) {
            return null;
        }
        if (length > SLOT_BYTES - 2) {
            return "(damaged: length " + length + ")";
        }
        byte[] bytes = new byte[length];
        map.get(at + 2, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private void write(int slot, String text) {
        if (text != null && text.equals(written[slot])) {
            return;
        }
        written[slot] = text;
        int at = slot * SLOT_BYTES;
        if (text == null) {
            map.putShort(at, (short) 0);
            return;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, SLOT_BYTES - 2);
        map.putShort(at, (short) 0);
        map.put(at + 2, bytes, 0, length);
        map.putShort(at, (short) length); // the length last: a torn write reads as empty
    }

    /** At a clean shutdown: nothing is running any more, so nothing is left to read. */
    public void closeAndRemove() {
        close();
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.debug("removing {}", file, e);
        }
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}", file, e);
        }
    }
}
