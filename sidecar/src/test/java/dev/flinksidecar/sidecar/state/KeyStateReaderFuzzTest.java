package dev.flinksidecar.sidecar.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.flinksidecar.rule.AccumulatorCodec;
import dev.flinksidecar.sidecar.window.WindowState;
import java.io.IOException;
import java.util.List;

/**
 * {@link KeyStateReader} (with {@link StateCursor}, {@link RuleSection} and {@link StoredSection})
 * over arbitrary bytes, as a corrupt or foreign checkpoint hands them over: it reads a state or
 * refuses it with a {@link StateFormatException} that says the state is truncated, corrupt or of
 * another version; no other exception, and no allocation beyond what the bytes can hold (a count or
 * size larger than the bytes left is refused before anything is allocated). A state it reads has
 * sections of at least one window each, whose accumulators a rule's codec then reads or refuses
 * with an {@link IOException} naming the window.
 *
 * <p>Fuzzed in {@code mvn verify} (sidecar's pom, execution {@code fuzz-key-state-reader}); its
 * inputs, crashes included, are in {@code KeyStateReaderFuzzTestInputs/anyBytes/}.
 */
class KeyStateReaderFuzzTest {

    private static final AccumulatorCodec<double[]> DOUBLES = AccumulatorCodec.doubles();

    @FuzzTest(maxDuration = "10s")
    void anyBytes(byte[] state) {
        List<StoredSection> sections;
        try {
            sections = KeyStateReader.read(state);
        } catch (StateFormatException e) {
            assertThat(e.getMessage())
                    .matches("(?s)the state (is truncated: |is corrupt: |has format version ).*");
            return;
        }
        assertThat(sections.isEmpty()).isEqualTo(state.length == 0);
        for (StoredSection section : sections) {
            assertThat(section.windowCount()).isPositive();
            assertThat(section.rule().toString()).isNotEmpty();
            try {
                List<WindowState> windows = section.decode(DOUBLES);
                assertThat(windows).hasSize(section.windowCount());
            } catch (IOException e) {
                assertThat(e.getMessage()).contains("window [");
            }
        }
    }
}
