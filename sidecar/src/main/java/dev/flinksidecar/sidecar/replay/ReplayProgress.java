package dev.flinksidecar.sidecar.replay;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long {@code replay} on stderr (never stdout): events read, events per second, the
 * share of the input's bytes read and the time left at the rate so far.
 *
 * <ul>
 *   <li>{@link Mode#BAR} (stderr is a terminal): one line redrawn in place with {@code \r}, at most
 *       ten times a second, and ended with a newline when the run ends, so the summary line that
 *       follows stands on its own:
 *       <pre>[############------------------]  40.0%  1,234,567 events  456,789 events/s  ETA 0:04
 *       </pre>
 *   <li>{@link Mode#LINES} (stderr is a file or a pipe): a plain line every interval (5 s by
 *       default), nothing else; a run shorter than the interval prints none:
 *       <pre>replay: 40.0% of 12.5 MiB read, 1,234,567 events, 456,789 events/s, ETA 0:04</pre>
 *   <li>{@link Mode#OFF} ({@code --no-progress}): nothing.
 * </ul>
 *
 * Rates and the ETA are averages since the start. The replay reports every few hundred entries
 * ({@link #update}); the clock is read only then. Runs on the replay's thread.
 */
final class ReplayProgress {

    /** How progress is shown. */
    enum Mode {
        BAR,
        LINES,
        OFF
    }

    /** Shortest time between two redraws of the bar: at most ten a second. */
    static final Duration REDRAW = Duration.ofMillis(100);

    private static final int BAR_WIDTH = 30;

    private final Mode mode;
    private final PrintWriter err;
    private final LongSupplier nanoClock;
    private final long intervalNanos;
    private long totalBytes;
    private long start;
    private long lastShown;
    private boolean drawn;

    /** Length of the last bar drawn, so a shorter one overwrites all of it. */
    private int lastWidth;

    /**
     * @param interval time between two lines in {@link Mode#LINES}; zero prints one at every update
     * @param nanoClock {@link System#nanoTime}, or a fake one in tests
     */
    ReplayProgress(Mode mode, PrintWriter err, Duration interval, LongSupplier nanoClock) {
        this.mode = mode;
        this.err = err;
        this.intervalNanos = mode == Mode.BAR ? REDRAW.toNanos() : interval.toNanos();
        this.nanoClock = nanoClock;
    }

    /**
     * The replay starts reading {@code totalBytes} bytes of input (0 when unknown: no percentage or
     * ETA).
     */
    void start(long totalBytes) {
        this.totalBytes = totalBytes;
        this.start = nanoClock.getAsLong();
        this.lastShown = start;
    }

    /**
     * The mode for this process: off when asked, a bar when there is a console, else plain lines.
     */
    static Mode modeFor(boolean disabled) {
        if (disabled) {
            return Mode.OFF;
        }
        return System.console() != null ? Mode.BAR : Mode.LINES;
    }

    /**
     * The replay has read {@code events} events and {@code bytesRead} bytes of the input so far.
     */
    void update(long events, long bytesRead) {
        if (mode == Mode.OFF) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (now - lastShown < intervalNanos) {
            return;
        }
        lastShown = now;
        show(events, bytesRead, now);
    }

    /**
     * The run ended: the bar shows its final state and ends its line; plain lines print nothing
     * more.
     */
    void finish(long events, long bytesRead) {
        if (mode == Mode.BAR && drawn) {
            show(events, bytesRead, nanoClock.getAsLong());
            err.println();
            err.flush();
        }
    }

    private void show(long events, long bytesRead, long now) {
        if (mode == Mode.BAR) {
            String bar = bar(events, bytesRead, now - start);
            err.print("\r" + bar + " ".repeat(Math.max(0, lastWidth - bar.length())));
            lastWidth = bar.length();
            drawn = true;
        } else {
            err.println(line(events, bytesRead, now - start));
        }
        err.flush();
    }

    /**
     * The bar for {@code events} events and {@code bytesRead} bytes read after {@code
     * elapsedNanos}.
     */
    String bar(long events, long bytesRead, long elapsedNanos) {
        StringBuilder out = new StringBuilder();
        if (totalBytes > 0) {
            int filled = (int) Math.min(BAR_WIDTH, BAR_WIDTH * bytesRead / totalBytes);
            out.append('[')
                    .append("#".repeat(filled))
                    .append("-".repeat(BAR_WIDTH - filled))
                    .append("] ")
                    .append(String.format(Locale.ROOT, "%5.1f%%  ", percent(bytesRead)));
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "%,d events  %,d events/s",
                        events,
                        perSecond(events, elapsedNanos)));
        if (totalBytes > 0) {
            out.append("  ETA ").append(eta(bytesRead, elapsedNanos));
        }
        return out.toString();
    }

    /**
     * The plain line for {@code events} events and {@code bytesRead} bytes read after {@code
     * elapsedNanos}.
     */
    String line(long events, long bytesRead, long elapsedNanos) {
        StringBuilder out = new StringBuilder("replay: ");
        if (totalBytes > 0) {
            out.append(
                    String.format(
                            Locale.ROOT,
                            "%.1f%% of %s read, ",
                            percent(bytesRead),
                            mib(totalBytes)));
        }
        out.append(
                String.format(
                        Locale.ROOT,
                        "%,d events, %,d events/s",
                        events,
                        perSecond(events, elapsedNanos)));
        if (totalBytes > 0) {
            out.append(", ETA ").append(eta(bytesRead, elapsedNanos));
        }
        return out.toString();
    }

    private double percent(long bytesRead) {
        return Math.min(100.0, 100.0 * bytesRead / totalBytes);
    }

    private static long perSecond(long count, long elapsedNanos) {
        return elapsedNanos <= 0 ? 0 : Math.round(count * 1e9 / elapsedNanos);
    }

    /**
     * Time left at the average byte rate so far, as m:ss (or h:mm:ss); "?" before anything was
     * read.
     */
    private String eta(long bytesRead, long elapsedNanos) {
        if (bytesRead <= 0 || elapsedNanos <= 0) {
            return "?";
        }
        long left = Math.max(0, totalBytes - bytesRead);
        long seconds = Math.round(left * (elapsedNanos / 1e9) / bytesRead);
        return seconds >= 3600
                ? String.format(
                        Locale.ROOT,
                        "%d:%02d:%02d",
                        seconds / 3600,
                        seconds / 60 % 60,
                        seconds % 60)
                : String.format(Locale.ROOT, "%d:%02d", seconds / 60, seconds % 60);
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024.0));
    }
}
