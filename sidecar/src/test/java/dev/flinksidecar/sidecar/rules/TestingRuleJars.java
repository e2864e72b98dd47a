package dev.flinksidecar.sidecar.rules;

import dev.flinksidecar.rule.Rule;
import dev.flinksidecar.rule.WindowedRule;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Builds small rule jars at test time: compiles Java sources against the rule API only (so a rule
 * that reaches for Netty would not even compile) and packs them with a services file and an
 * optional {@code Implementation-Version}.
 */
public final class TestingRuleJars {

    /**
     * Emits {@code value} for each event whose {@code amount} is over the config's {@code limit}
     * (default 100).
     */
    public static final String THRESHOLD =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Threshold implements Rule {\n"
                    + "  private double limit;\n"
                    + "  public void open(RuleContext context) { limit = context.config().getDouble(\"limit\", 100); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    int i = event.indexOf(\"amount\");\n"
                    + "    if (i >= 0 && event.isNumber(i) && event.numberAt(i) > limit) {\n"
                    + "      out.emit(Result.of(event).copy(event, i).set(\"source\", \"threshold\"));\n"
                    + "    }\n"
                    + "  }\n"
                    + "}\n";

    /**
     * Emits {@code seen} for every event, then throws for key {@code bad} (after emitting, to prove
     * partial results are dropped).
     */
    public static final String THROWING =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Throwing implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    out.emit(Result.of(event).set(\"seen\", true));\n"
                    + "    if (event.key().equals(\"bad\")) { throw new IllegalStateException(\"no amount\"); }\n"
                    + "  }\n"
                    + "}\n";

    /** Throws an {@link Error} on the event keyed "bad", after emitting a result for it. */
    public static final String ERROR_THROWING =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class ErrorThrowing implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    out.emit(Result.of(event).set(\"seen\", true));\n"
                    + "    if (event.key().equals(\"bad\")) { throw new InternalError(\"broken\"); }\n"
                    + "  }\n"
                    + "}\n";

    /**
     * Loops on the event keyed "loop", deaf to interrupts, until the system property {@code
     * testrules.release} is set; emits a result for every other event.
     */
    public static final String LOOPING =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Looping implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    if (event.key().equals(\"loop\")) {\n"
                    + "      while (System.getProperty(\"testrules.release\") == null) { Thread.onSpinWait(); }\n"
                    + "      out.emit(Result.of(event).set(\"released\", true));\n"
                    + "      return;\n"
                    + "    }\n"
                    + "    out.emit(Result.of(event).set(\"looped\", false));\n"
                    + "  }\n"
                    + "}\n";

    /** Takes 40 ms on every event: slow, never stuck. */
    public static final String SLOW =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Slow implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    long until = System.nanoTime() + 40_000_000L;\n"
                    + "    while (System.nanoTime() < until) { Thread.onSpinWait(); }\n"
                    + "    out.emit(Result.of(event).set(\"slow\", true));\n"
                    + "  }\n"
                    + "}\n";

    /** Fails in open with a config error. */
    public static final String FAILING_OPEN =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class FailingOpen implements Rule {\n"
                    + "  public void open(RuleContext context) { context.config().requireDouble(\"limit\"); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) {}\n"
                    + "}\n";

    /**
     * Reports what it can see: whether Netty, protobuf and the sidecar's event classes load from
     * its own loader or the context loader, and whether the context loader is its own.
     */
    public static final String PEEKER =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Peeker implements Rule {\n"
                    + "  private boolean openTccl;\n"
                    + "  public void open(RuleContext context) { openTccl = ownTccl(); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) {\n"
                    + "    out.emit(Result.of(event)\n"
                    + "        .set(\"netty\", visible(\"io.netty.channel.Channel\"))\n"
                    + "        .set(\"protobuf\", visible(\"com.google.protobuf.Message\"))\n"
                    + "        .set(\"events\", visible(\"dev.flinksidecar.events.EventRecord\"))\n"
                    + "        .set(\"sidecar\", visible(\"dev.flinksidecar.sidecar.Main\"))\n"
                    + "        .set(\"api\", visible(\"dev.flinksidecar.rule.Rule\"))\n"
                    + "        .set(\"jdk\", visible(\"java.sql.Connection\"))\n"
                    + "        .set(\"openTccl\", openTccl)\n"
                    + "        .set(\"tccl\", ownTccl()));\n"
                    + "  }\n"
                    + "  private boolean ownTccl() { return Thread.currentThread().getContextClassLoader() == getClass().getClassLoader(); }\n"
                    + "  private boolean visible(String name) {\n"
                    + "    for (ClassLoader loader : new ClassLoader[] {getClass().getClassLoader(), Thread.currentThread().getContextClassLoader()}) {\n"
                    + "      try { Class.forName(name, false, loader); return true; } catch (ClassNotFoundException e) { }\n"
                    + "    }\n"
                    + "    return false;\n"
                    + "  }\n"
                    + "}\n";

    /**
     * For key {@code gate}: counts down the latch {@code test.gate.entered} and waits (up to 30 s)
     * for the latch {@code test.gate}. Both are {@code CountDownLatch}es that the test puts into
     * the system properties: JDK classes are the one thing a rule shares with the test.
     */
    public static final String GATE =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "import java.util.concurrent.*;\n"
                    + "public final class Gate implements Rule {\n"
                    + "  public void onEvent(Event event, ResultCollector out) throws Exception {\n"
                    + "    if (event.key().equals(\"gate\")) {\n"
                    + "      ((CountDownLatch) System.getProperties().get(\"test.gate.entered\")).countDown();\n"
                    + "      if (!((CountDownLatch) System.getProperties().get(\"test.gate\")).await(30, TimeUnit.SECONDS)) {\n"
                    + "        throw new IllegalStateException(\"gate not opened\");\n"
                    + "      }\n"
                    + "    }\n"
                    + "    out.emit(Result.of(event).set(\"passed\", true));\n"
                    + "  }\n"
                    + "}\n";

    /**
     * A windowed rule: the sum of {@code amount} over the windows of the config's {@code window}
     * ({@link dev.flinksidecar.rule.WindowAssigner#fromConfig}), with {@code allowed_lateness_ms}
     * (default 0), counting the events of type {@code payment} with a numeric amount; results only
     * for sums above the optional {@code above}.
     */
    public static final String WINDOWED_SUM =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "import java.time.Duration;\n"
                    + "public final class WindowedSum implements WindowedRule<double[]> {\n"
                    + "  private WindowAssigner windows;\n"
                    + "  private long lateness;\n"
                    + "  private double above;\n"
                    + "  public void open(RuleContext context) {\n"
                    + "    windows = WindowAssigner.fromConfig(context.config().getObject(\"window\"));\n"
                    + "    lateness = context.config().getLong(\"allowed_lateness_ms\", 0);\n"
                    + "    above = context.config().getDouble(\"above\", Double.NEGATIVE_INFINITY);\n"
                    + "  }\n"
                    + "  public WindowAssigner windowAssigner() { return windows; }\n"
                    + "  public Duration allowedLateness() { return Duration.ofMillis(lateness); }\n"
                    + "  public boolean filter(Event event) {\n"
                    + "    int i = event.indexOf(\"amount\");\n"
                    + "    return \"payment\".equals(event.type()) && i >= 0 && event.isNumber(i);\n"
                    + "  }\n"
                    + "  public double[] createAccumulator() { return new double[1]; }\n"
                    + "  public double[] add(Event event, double[] sum) { sum[0] += event.getNumber(\"amount\", 0); return sum; }\n"
                    + "  public double[] merge(double[] a, double[] b) { a[0] += b[0]; return a; }\n"
                    + "  public double getResult(double[] sum) { return sum[0]; }\n"
                    + "  public boolean keepResult(double value, long count) { return value > above; }\n"
                    + "  public AccumulatorCodec<double[]> accumulatorCodec() { return AccumulatorCodec.doubles(); }\n"
                    + "}\n";

    /** A class that implements nothing, for a jar without a rule. */
    public static final String NOT_A_RULE = "package testrules;\npublic final class Helper {}\n";

    private TestingRuleJars() {}

    /**
     * Compiles {@code source} (one class, named by its file) into {@code dir/NAME.jar}, listing
     * {@code services} in the services file (none: no services file).
     *
     * @param version the manifest's Implementation-Version, or null for none
     */
    public static Path jar(Path dir, String name, String version, String source, String... services)
            throws IOException {
        return jar(dir, name, version, List.of(source), services);
    }

    /** As {@link #jar(Path, String, String, String, String...)} with several source files. */
    public static Path jar(
            Path dir, String name, String version, List<String> sources, String... services)
            throws IOException {
        return jar(dir, name, version, sources, Rule.class, services);
    }

    /** A jar whose services file for {@link WindowedRule} lists {@code services}. */
    public static Path windowedJar(
            Path dir, String name, String version, String source, String... services)
            throws IOException {
        return jar(dir, name, version, List.of(source), WindowedRule.class, services);
    }

    /** A jar with the {@link #WINDOWED_SUM} rule, config {@code configJson}, version 1.0.0. */
    public static Path windowedSum(Path dir, String name, String configJson) throws IOException {
        config(dir, name, configJson);
        return windowedJar(dir, name, "1.0.0", WINDOWED_SUM, "testrules.WindowedSum");
    }

    private static Path jar(
            Path dir,
            String name,
            String version,
            List<String> sources,
            Class<?> service,
            String... services)
            throws IOException {
        Path work = Files.createTempDirectory("rulebuild");
        try {
            return build(dir, name, version, sources, service, services, work);
        } finally {
            try (Stream<Path> walk = Files.walk(work)) {
                for (Path file :
                        walk.sorted(Comparator.reverseOrder()).collect(Collectors.toList())) {
                    Files.delete(file);
                }
            }
        }
    }

    private static Path build(
            Path dir,
            String name,
            String version,
            List<String> sources,
            Class<?> service,
            String[] services,
            Path work)
            throws IOException {
        Path src = Files.createDirectories(work.resolve("src/testrules"));
        Path classes = Files.createDirectories(work.resolve("classes"));
        List<String> files = new ArrayList<>();
        for (String source : sources) {
            String className = source.replaceAll("(?s).*public final class (\\w+).*", "$1");
            Path file = src.resolve(className + ".java");
            Files.writeString(file, source);
            files.add(file.toString());
        }
        compile(classes, files);
        Path jar = dir.resolve(name + ".jar");
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        if (version != null) {
            manifest.getMainAttributes().put(Attributes.Name.IMPLEMENTATION_VERSION, version);
        }
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream jarOut = new JarOutputStream(out, manifest)) {
            try (Stream<Path> walk = Files.walk(classes)) {
                for (Path file : walk.filter(Files::isRegularFile).collect(Collectors.toList())) {
                    jarOut.putNextEntry(
                            new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                    jarOut.write(Files.readAllBytes(file));
                    jarOut.closeEntry();
                }
            }
            if (services.length > 0) {
                jarOut.putNextEntry(new JarEntry("META-INF/services/" + service.getName()));
                jarOut.write((String.join("\n", services) + "\n").getBytes(StandardCharsets.UTF_8));
                jarOut.closeEntry();
            }
        }
        return jar;
    }

    /** Writes {@code dir/NAME.json}. */
    public static Path config(Path dir, String name, String json) throws IOException {
        return Files.writeString(dir.resolve(name + ".json"), json);
    }

    /** A jar with the threshold rule, config {@code {"limit": limit}}, version 1.0.0. */
    public static Path threshold(Path dir, String name, double limit) throws IOException {
        config(dir, name, "{\"limit\": " + limit + "}");
        return jar(dir, name, "1.0.0", THRESHOLD, "testrules.Threshold");
    }

    private static void compile(Path classes, List<String> files) {
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> args =
                new ArrayList<>(
                        List.of(
                                "-d",
                                classes.toString(),
                                "-classpath",
                                ruleApiLocation(),
                                "--release",
                                "17"));
        args.addAll(files);
        ByteArrayOutputStream errors = new ByteArrayOutputStream();
        int status = compiler.run(null, errors, errors, args.toArray(new String[0]));
        if (status != 0) {
            throw new IllegalStateException(
                    "could not compile test rule "
                            + files
                            + ": "
                            + errors.toString(StandardCharsets.UTF_8));
        }
    }

    private static String ruleApiLocation() {
        try {
            return Path.of(Rule.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                    .toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
