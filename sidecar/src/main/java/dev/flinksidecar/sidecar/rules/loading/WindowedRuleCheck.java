package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.rule.RuleConfigException;
import dev.flinksidecar.rule.WindowedRule;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.time.Duration;

/**
 * What the sidecar checks of a windowed rule right after {@code open}, so that a rule that could
 * not run, or whose windows could not be checkpointed, is refused at load time with a message
 * rather than failing on the first event.
 */
final class WindowedRuleCheck {

    private WindowedRuleCheck() {}

    /**
     * Runs rule code.
     *
     * @throws RuleConfigException saying what is wrong: no windows, a negative lateness, no codec
     * @throws IOException when the codec cannot write and read back a fresh accumulator
     */
    static void check(WindowedRule<?> rule) throws IOException {
        if (rule.windowAssigner() == null) {
            throw new RuleConfigException(
                    "windowAssigner() returned null; a windowed rule must declare its windows");
        }
        Duration lateness = rule.allowedLateness();
        if (lateness == null || lateness.isNegative()) {
            throw new RuleConfigException(
                    "allowedLateness() must be zero or more, not " + lateness);
        }
        roundTrip(rule);
    }

    private static <ACC> void roundTrip(WindowedRule<ACC> rule) throws IOException {
        AccumulatorCodec<ACC> codec = rule.accumulatorCodec();
        if (codec == null) {
            throw new RuleConfigException(
                    "accumulatorCodec() returned null; the sidecar needs it to checkpoint windows");
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        codec.write(rule.createAccumulator(), new DataOutputStream(bytes));
        codec.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }
}
