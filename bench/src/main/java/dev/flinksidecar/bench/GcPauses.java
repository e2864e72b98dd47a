package dev.flinksidecar.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * GC pauses beside a latency benchmark, to tell whose pause a spike was: the sidecar's, read from
 * the file its {@code -Xlog:gc:file=...} writes, and this JVM's (the load's sender and reader),
 * from the collectors' notifications.
 */
final class GcPauses implements NotificationListener {

    private static final Pattern PAUSE =
            Pattern.compile("Pause (.*?) \\d+M->\\d+M\\(\\d+M\\) ([0-9.]+)ms");

    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private int count;
    private long totalMs;
    private long longestMs;

    private GcPauses() {}

    /** The lines of {@code file} so far: where a later {@link #inLog} starts. */
    static long lines(Path file) throws IOException {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.count();
        }
    }

    /**
     * The pauses in lines {@code from} to {@code to} of a {@code -Xlog:gc} file: count, full ones,
     * the longest.
     */
    static String inLog(Path gcLog, long from, long to) throws IOException {
        int count = 0;
        int full = 0;
        double longest = 0;
        String longestKind = "";
        try (Stream<String> lines = Files.lines(gcLog)) {
            for (String line : (Iterable<String>) lines.skip(from).limit(to - from)::iterator) {
                Matcher m = PAUSE.matcher(line);
                if (m.find()) {
                    count++;
                    full += m.group(1).startsWith("Full") ? 1 : 0;
                    double millis = Double.parseDouble(m.group(2));
                    if (millis > longest) {
                        longest = millis;
                        longestKind = m.group(1).trim();
                    }
                }
            }
        }
        return String.format(
                "%d pauses (%d full), longest %.1f ms%s",
                count, full, longest, count == 0 ? "" : " (" + longestKind + ")");
    }

    /** Counts this JVM's collections from now until {@link #stop}. */
    static GcPauses watchThisJvm() {
        GcPauses watch = new GcPauses();
        for (GarbageCollectorMXBean bean : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (bean instanceof NotificationEmitter) {
                ((NotificationEmitter) bean).addNotificationListener(watch, null, null);
                watch.emitters.add((NotificationEmitter) bean);
            }
        }
        return watch;
    }

    /** Runs on a JMX notification thread. */
    @Override
    public synchronized void handleNotification(Notification notification, Object handback) {
        if (notification
                .getType()
                .equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
            long ms =
                    GarbageCollectionNotificationInfo.from(
                                    (CompositeData) notification.getUserData())
                            .getGcInfo()
                            .getDuration();
            count++;
            totalMs += ms;
            longestMs = Math.max(longestMs, ms);
        }
    }

    void stop() throws ListenerNotFoundException {
        for (NotificationEmitter emitter : emitters) {
            emitter.removeNotificationListener(this);
        }
    }

    @Override
    public synchronized String toString() {
        return count + " collections, " + totalMs + " ms in all, longest " + longestMs + " ms";
    }
}
