package dev.flinksidecar.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every option of {@link SidecarOptions} has a row in {@code sidecar/OPTIONS.md} with its type and
 * default, and every row there is an option. On failure the message shows the row to paste.
 */
class SidecarOptionsDocumentationTest {

    private static final Pattern ROW =
            Pattern.compile(
                    "^\\| `(sidecar\\.[a-z0-9.-]+)` \\| ([^|]+) \\| ([^|]+) \\|",
                    Pattern.MULTILINE);

    @Test
    void everyOptionIsDocumentedWithItsTypeAndDefault() throws IOException {
        Map<String, String> documented = documentedRows();
        for (ConfigOption<?> option : SidecarOptions.all()) {
            String expected = option.typeName() + " | " + option.defaultText();
            assertThat(documented.get(option.key()))
                    .as(
                            "OPTIONS.md row of %s; expected:%n| `%s` | %s | %s |",
                            option.key(), option.key(), expected, option.description())
                    .isEqualTo(expected);
        }
    }

    @Test
    void everyDocumentedOptionExists() throws IOException {
        assertThat(documentedRows().keySet())
                .containsExactlyInAnyOrderElementsOf(
                        SidecarOptions.all().stream().map(ConfigOption::key).toList());
    }

    @Test
    void keysAreDashedUnderOnePrefix() {
        assertThat(SidecarOptions.all())
                .isNotEmpty()
                .allSatisfy(
                        option ->
                                assertThat(option.key()).matches("sidecar(\\.[a-z]+(-[a-z]+)*)+"));
    }

    private static Map<String, String> documentedRows() throws IOException {
        String text = Files.readString(Path.of("OPTIONS.md"));
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(text);
        while (m.find()) {
            rows.put(m.group(1), m.group(2).trim() + " | " + m.group(3).trim());
        }
        return rows;
    }
}
