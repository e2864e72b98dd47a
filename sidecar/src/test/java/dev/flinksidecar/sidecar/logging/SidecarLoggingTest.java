package dev.flinksidecar.sidecar.logging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Properties;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.event.Level;

/** The sidecar's SLF4J backend: its line, its levels and its timestamps. */
class SidecarLoggingTest {

    private static final DateTimeFormatter EXPECTED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS");

    @Test
    void timestampsAreTheUtcInstantsJavaTimeGives() {
        long[] instants = {
            0L,
            -1L,
            951_782_400_000L /* 2000-02-29 */,
            4_107_542_399_999L /* 2100-02-28T23:59:59.999 */,
            1_764_159_473_062L,
            253_402_300_799_999L /* 9999-12-31T23:59:59.999 */
        };
        for (long millis : instants) {
            assertTimestamp(millis);
        }
        Random random = new Random(7);
        for (int i = 0; i < 100_000; i++) {
            assertTimestamp(
                    Math.floorMod(
                            random.nextLong(), 253_402_300_800_000L)); // up to the end of 9999
        }
    }

    private static void assertTimestamp(long millis) {
        StringBuilder out = new StringBuilder();
        LogTimestamp.append(out, millis);
        String expected =
                EXPECTED.format(
                                LocalDateTime.ofInstant(
                                        Instant.ofEpochMilli(millis), ZoneOffset.UTC))
                        + "Z";
        assertThat(out.toString()).as("%d", millis).isEqualTo(expected);
    }

    @Test
    void aLoggerTakesTheLevelOfItsNearestConfiguredParent() {
        Properties properties = new Properties();
        properties.setProperty(SidecarLoggerFactory.DEFAULT_LEVEL, "warn");
        properties.setProperty(
                SidecarLoggerFactory.LOGGER_LEVEL + "dev.flinksidecar.sidecar", "DEBUG");
        properties.setProperty(
                SidecarLoggerFactory.LOGGER_LEVEL + "dev.flinksidecar.sidecar.deploy.Timelines",
                "off");
        properties.setProperty(SidecarLoggerFactory.LOGGER_LEVEL + "rule", "error");
        SidecarLoggerFactory factory = new SidecarLoggerFactory(properties);

        assertThat(factory.levelOf("io.netty.channel.epoll.Epoll")).isEqualTo(Level.WARN.toInt());
        assertThat(factory.levelOf("dev.flinksidecar.sidecar.transport.SidecarServer"))
                .isEqualTo(Level.DEBUG.toInt());
        assertThat(factory.levelOf("dev.flinksidecar.sidecar")).isEqualTo(Level.DEBUG.toInt());
        assertThat(factory.levelOf("dev.flinksidecar.sidecar.deploy.Timelines"))
                .isEqualTo(SidecarLoggerFactory.OFF);
        assertThat(factory.levelOf("rule.threshold")).isEqualTo(Level.ERROR.toInt());
        assertThat(factory.levelOf("rules")).isEqualTo(Level.WARN.toInt());
        assertThat(new SidecarLoggerFactory(new Properties()).levelOf("any"))
                .as("without settings")
                .isEqualTo(Level.INFO.toInt());
    }

    @Test
    void aLevelThatIsNoneIsNamedAndTheDefaultApplies() {
        Properties properties = new Properties();
        properties.setProperty(SidecarLoggerFactory.DEFAULT_LEVEL, "loud");
        String err =
                capturingStderr(
                        () ->
                                assertThat(new SidecarLoggerFactory(properties).levelOf("x"))
                                        .isEqualTo(Level.INFO.toInt()));
        assertThat(err)
                .isEqualTo(
                        "sidecar logging: org.slf4j.simpleLogger.defaultLogLevel=loud is not a level"
                                + " (trace, debug, info, warn, error, off); using the default"
                                + System.lineSeparator());
    }

    @Test
    void oneLinePerMessageWithTimeThreadLevelAndShortName() {
        Properties properties = new Properties();
        properties.setProperty(SidecarLoggerFactory.DEFAULT_LEVEL, "info");
        Logger log =
                new SidecarLoggerFactory(properties)
                        .getLogger("dev.flinksidecar.sidecar.deploy.Timelines");
        String err =
                capturingStderr(
                        () -> {
                            log.debug("not written {}", 1);
                            log.info("activated {}@{}", "threshold", "1.0.0+c4c6863");
                            log.atWarn()
                                    .setMessage("refused {}: {}")
                                    .addArgument("x.jar")
                                    .addArgument("no rule")
                                    .log();
                            log.error("failed", new IllegalStateException("boom"));
                        });
        String[] lines = err.split(System.lineSeparator());
        String time = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";
        String thread = Thread.currentThread().getName();
        assertThat(lines[0])
                .matches(
                        time
                                + " \\[\\Q"
                                + thread
                                + "\\E\\] \\[INFO\\] Timelines - activated threshold@1\\.0\\.0\\+c4c6863");
        assertThat(lines[1])
                .matches(
                        time
                                + " \\[\\Q"
                                + thread
                                + "\\E\\] \\[WARN\\] Timelines - refused x\\.jar: no rule");
        assertThat(lines[2])
                .matches(time + " \\[\\Q" + thread + "\\E\\] \\[ERROR\\] Timelines - failed");
        assertThat(lines[3]).isEqualTo("java.lang.IllegalStateException: boom");
        assertThat(lines[4]).contains("at " + SidecarLoggingTest.class.getName());
    }

    @Test
    void aLoggerWithTheSameNameIsTheSameLogger() {
        SidecarLoggerFactory factory = new SidecarLoggerFactory(new Properties());
        assertThat(factory.getLogger("a.B"))
                .isSameAs(factory.getLogger("a.B"))
                .isNotSameAs(factory.getLogger("a.C"));
    }

    private static String capturingStderr(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
