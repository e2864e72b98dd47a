package dev.flinksidecar.sidecar.metrics;

import static dev.flinksidecar.sidecar.TestingFrames.events;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import dev.flinksidecar.proto.AdminRequest;
import dev.flinksidecar.proto.AdminResponse;
import dev.flinksidecar.proto.ShadowRequest;
import dev.flinksidecar.sidecar.Scrape;
import dev.flinksidecar.sidecar.ServeProcess;
import dev.flinksidecar.sidecar.TestingClient;
import dev.flinksidecar.sidecar.TestingHttp;
import dev.flinksidecar.sidecar.admin.AdminClient;
import dev.flinksidecar.sidecar.rules.TestingRuleJars;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The metrics table of {@code sidecar/METRICS.md} cannot drift from the code: a running sidecar
 * with a per-event and a windowed rule and an open session is scraped, and every family it serves
 * must have its row (name, type, labels), every row must be served. A row {@code prefix_*} covers
 * the families with that prefix (the JVM's), and must cover at least one.
 */
@Timeout(180)
class MetricsDocumentationITCase {

    private static final Pattern ROW =
            Pattern.compile(
                    "^\\| `([a-z0-9_:*]+)` \\|([^|]+)\\|([^|]*)\\|([^|]+)\\|$", Pattern.MULTILINE);

    @TempDir Path dir;

    @Test
    void everyServedFamilyIsDocumentedAndEveryDocumentedOneIsServed() throws Exception {
        Path rules = Files.createDirectory(dir.resolve("rules"));
        TestingRuleJars.threshold(rules, "threshold", 100);
        TestingRuleJars.windowedSum(
                rules, "sum", "{\"window\": {\"type\": \"tumbling\", \"size\": \"1s\"}}");
        Path socket = dir.resolve("sidecar.sock");
        Map<String, Row> rows = documentedRows();
        try (ServeProcess sidecar = MetricsITCase.start(dir, rules, socket)) {
            int port = TestingHttp.port(sidecar);
            MetricsITCase.awaitRegistry(port);
            try (TestingClient client = TestingClient.connect(socket)) {
                client.send(MetricsITCase.hello(0));
                client.receive();
                client.send(events(MetricsITCase.batch(1)));
                client.receive();
                shadowThreshold(rules, socket);
                Scrape scrape = MetricsITCase.scrape(port);

                List<String> problems = new ArrayList<>();
                Set<String> coveredGroups = new TreeSet<>();
                for (Map.Entry<String, String> family : scrape.families().entrySet()) {
                    String name = family.getKey();
                    Row row = rows.get(name);
                    if (row == null) {
                        Row group =
                                rows.values().stream()
                                        .filter(r -> r.group() && name.startsWith(r.prefix()))
                                        .findFirst()
                                        .orElse(null);
                        if (group == null) {
                            problems.add(
                                    "served, not in METRICS.md: "
                                            + name
                                            + " ("
                                            + family.getValue()
                                            + ", labels "
                                            + labels(scrape, name)
                                            + ")");
                        } else if (!group.types().contains(family.getValue())) {
                            problems.add(
                                    name
                                            + " is a "
                                            + family.getValue()
                                            + "; the row "
                                            + group.name()
                                            + " says "
                                            + group.types());
                        } else if (!group.labels().containsAll(labels(scrape, name))) {
                            problems.add(
                                    name
                                            + " has labels "
                                            + labels(scrape, name)
                                            + "; the row "
                                            + group.name()
                                            + " says "
                                            + group.labels());
                        } else {
                            coveredGroups.add(group.name());
                        }
                        continue;
                    }
                    if (!row.types().equals(Set.of(family.getValue()))) {
                        problems.add(
                                name
                                        + " is a "
                                        + family.getValue()
                                        + "; METRICS.md says "
                                        + row.types());
                    }
                    if (!row.labels().equals(labels(scrape, name))) {
                        problems.add(
                                name
                                        + " has labels "
                                        + labels(scrape, name)
                                        + "; METRICS.md says "
                                        + row.labels());
                    }
                }
                for (Row row : rows.values()) {
                    if (row.group()
                            ? !coveredGroups.contains(row.name())
                            : !scrape.families().containsKey(row.name())) {
                        problems.add("in METRICS.md, not served: " + row.name());
                    }
                }
                assertThat(problems).as("METRICS.md against /metrics:\n%s", scrape).isEmpty();
            }
        }
    }

    /** Shadows a candidate of the threshold rule, so that the shadow's series are served too. */
    private static void shadowThreshold(Path rules, Path socket) throws IOException {
        AdminResponse shadowed =
                AdminClient.call(
                        Path.of(socket + ".admin"),
                        AdminRequest.newBuilder()
                                .setShadow(
                                        ShadowRequest.newBuilder()
                                                .setFileName("threshold.jar")
                                                .setJar(
                                                        ByteString.copyFrom(
                                                                Files.readAllBytes(
                                                                        rules.resolve(
                                                                                "threshold.jar"))))
                                                .setConfig(
                                                        ByteString.copyFromUtf8(
                                                                "{\"limit\": 500}")))
                                .build());
        assertThat(shadowed.getOk()).as(shadowed.getMessage()).isTrue();
    }

    /** The label names of a family's samples ({@code le} of histogram buckets left out). */
    private static Set<String> labels(Scrape scrape, String family) {
        Set<String> labels = new TreeSet<>();
        for (String sample :
                List.of(family, family + "_bucket", family + "_count", family + "_sum")) {
            scrape.samples(sample).forEach(s -> labels.addAll(s.labels().keySet()));
        }
        labels.remove("le");
        return labels;
    }

    private static Map<String, Row> documentedRows() throws IOException {
        String text = Files.readString(Path.of("METRICS.md"));
        String table = text.substring(text.indexOf("\n## Metrics"));
        Map<String, Row> rows = new LinkedHashMap<>();
        Matcher m = ROW.matcher(table);
        while (m.find()) {
            rows.put(m.group(1), new Row(m.group(1), split(m.group(2)), split(m.group(3))));
        }
        assertThat(rows).as("rows of the metrics table of METRICS.md").isNotEmpty();
        return rows;
    }

    private static Set<String> split(String cell) {
        return Arrays.stream(cell.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** One row of the table: a family, or a group of families ({@code prefix_*}). */
    private record Row(String name, Set<String> types, Set<String> labels) {
        boolean group() {
            return name.endsWith("*");
        }

        String prefix() {
            return name.substring(0, name.length() - 1);
        }
    }
}
