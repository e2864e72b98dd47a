package dev.flinksidecar.sidecar;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One page of the Prometheus text format, parsed: metric families with their types, and samples.
 */
public final class Scrape {

    private static final Pattern TYPE =
            Pattern.compile("^# TYPE (\\S+) (\\S+)$", Pattern.MULTILINE);
    private static final Pattern SAMPLE =
            Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)\\})? (\\S+)$");
    private static final Pattern LABEL = Pattern.compile("(\\w+)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final String text;
    private final Map<String, String> families = new LinkedHashMap<>();
    private final List<Sample> samples = new ArrayList<>();

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    public Scrape(String text) {
        this.text = text;
        Matcher types = TYPE.matcher(text);
        while (types.find()) {
            families.put(types.group(1), types.group(2));
        }
        for (String line : text.split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher m = SAMPLE.matcher(line);
            if (!m.matches()) {
                throw new AssertionError(
                        "not a sample line of the Prometheus text format: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (m.group(3) != null) {
                Matcher label = LABEL.matcher(m.group(3));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(m.group(1), labels, Double.parseDouble(m.group(4))));
        }
    }

    /**
     * Family name to type ({@code counter}, {@code gauge}, {@code histogram}, ...), as the {@code #
     * TYPE} lines say.
     */
    public Map<String, String> families() {
        return families;
    }

    /**
     * The value of the one sample {@code name} whose labels include {@code labels} ({@code k1, v1,
     * k2, v2, ...}); null when there is none.
     *
     * @throws AssertionError when several samples match
     */
    public Double value(String name, String... labels) {
        Double found = null;
        for (Sample sample : samples) {
            if (!sample.name().equals(name) || !matches(sample.labels(), labels)) {
                continue;
            }
            if (found != null) {
                throw new AssertionError(
                        "several samples "
                                + name
                                + " with labels "
                                + List.of(labels)
                                + " in:\n"
                                + text);
            }
            found = sample.value();
        }
        return found;
    }

    /** The samples named {@code name}. */
    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static boolean matches(Map<String, String> actual, String[] labels) {
        for (int i = 0; i < labels.length; i += 2) {
            if (!labels[i + 1].equals(actual.get(labels[i]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return text;
    }
}
