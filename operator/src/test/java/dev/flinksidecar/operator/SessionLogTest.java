package dev.flinksidecar.operator;

import static dev.flinksidecar.operator.OperatorHarness.event;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.operator.client.SidecarSessionException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.Test;

/**
 * The operator's log is one line per lifecycle event of a session (opened, broke, opened again with
 * the batches replayed, closed), naming the subtask, the socket and the session; however many
 * events and batches pass, never a line per event or batch.
 */
class SessionLogTest {

    @Test
    void oneLinePerSessionEventAndNoneForEventsOrBatches() throws Exception {
        SidecarOperatorOptions options =
                SidecarOperatorOptions.defaults()
                        .with(SidecarOperatorOptions.SOCKET_PATH, "/run/test/sidecar.sock")
                        .with(SidecarOperatorOptions.BATCH_MAX_EVENTS, 10);
        try (CapturedLog log = new CapturedLog(SidecarOperator.class.getName());
                OperatorHarness h = new OperatorHarness(TestingSidecarRunner.async(), options)) {
            for (int i = 0; i < 1_000; i++) {
                h.process(event("k" + i % 7, i));
            }
            h.runner.fail(
                    new SidecarSessionException(
                            "the sidecar on /run/test/sidecar.sock closed the session"));
            h.runMails(); // the failure's mail: the session is reopened now
            for (int i = 1_000; i < 2_000; i++) {
                h.process(event("k" + i % 7, i));
            }
            h.harness.endInput();
            h.harness.getOperator().finish();

            assertThat(log.lines).hasSize(4);
            assertThat(log.lines.get(0))
                    .startsWith(
                            "INFO Subtask 0: sidecar session session-1 open on"
                                    + " /run/test/sidecar.sock (set by the job; sidecar testing, rules echo 1)");
            assertThat(log.lines.get(1))
                    .startsWith(
                            "WARN Subtask 0: sidecar session session-1 on /run/test/sidecar.sock"
                                    + " broke (the sidecar on /run/test/sidecar.sock closed the session); opening a new one from the"
                                    + " session's start and sending");
            assertThat(log.lines.get(2))
                    .startsWith(
                            "INFO Subtask 0: sidecar session session-1 open on"
                                    + " /run/test/sidecar.sock after")
                    .contains("batches sent again");
            assertThat(log.lines.get(3))
                    .matches(
                            "INFO Subtask 0: sidecar session session-1 on /run/test/sidecar.sock"
                                    + " closed at the end of input: \\d+ batches of 2000 events sent, 2000 results, 0 dead letters,"
                                    + " 0 late events, 1 reconnects");
        }
    }

    /** Collects the formatted lines of one logger at INFO and above, for as long as it is open. */
    private static final class CapturedLog implements AutoCloseable {

        final List<String> lines = new CopyOnWriteArrayList<>();
        private final String logger;
        private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
        private final AbstractAppender appender;

        CapturedLog(String logger) {
            this.logger = logger;
            appender =
                    new AbstractAppender(
                            "captured-" + logger, null, null, true, Property.EMPTY_ARRAY) {
                        @Override
                        public void append(LogEvent event) {
                            lines.add(
                                    event.getLevel()
                                            + " "
                                            + event.getMessage().getFormattedMessage());
                        }
                    };
            appender.start();
            LoggerConfig config = new LoggerConfig(logger, Level.INFO, false);
            config.addAppender(appender, Level.INFO, null);
            context.getConfiguration().addLogger(logger, config);
            context.updateLoggers();
        }

        @Override
        public void close() {
            Configuration configuration = context.getConfiguration();
            configuration.removeLogger(logger);
            context.updateLoggers();
            appender.stop();
        }
    }
}
