package dev.flinksidecar.sidecar.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Rule sources for the hot-swap tests: validation failures, leaks, windowed layouts, many classes.
 */
public final class SwapRules {

    /**
     * Emits one result per event, {@code n} = the config's {@code n} (default 0): a version tells
     * itself apart by its config.
     */
    public static final String ECHO =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Echo implements Rule {\n"
                    + "  private long n;\n"
                    + "  public void open(RuleContext context) { n = context.config().getLong(\"n\", 0); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) { out.emit(Result.of(event).set(\"n\", n)); }\n"
                    + "}\n";

    /** Fails in open with an exception thrown two frames down, to show the stack. */
    public static final String FAILS_TO_CONNECT =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class FailsToConnect implements Rule {\n"
                    + "  public void open(RuleContext context) { connect(); }\n"
                    + "  private void connect() { throw new IllegalStateException(\"cannot reach the fraud database\"); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) {}\n"
                    + "}\n";

    /** Starts a thread in open that never stops: its classloader can never be collected. */
    public static final String LEAKY =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Leaky implements Rule {\n"
                    + "  private static int started;\n"
                    + "  public void open(RuleContext context) {\n"
                    + "    Thread worker = new Thread(() -> {\n"
                    + "      while (true) { try { Thread.sleep(60_000); } catch (InterruptedException e) { } }\n"
                    + "    }, \"leaky-worker-\" + (++started));\n"
                    + "    worker.setDaemon(true);\n"
                    + "    worker.start();\n"
                    + "  }\n"
                    + "  public void onEvent(Event event, ResultCollector out) { out.emit(Result.of(event).set(\"leaky\", true)); }\n"
                    + "}\n";

    /**
     * A changed copy of the rule API's {@code RuleContext} with a method the real one lacks: a rule
     * compiled against it (then packed without it) was built for another API.
     */
    public static final String FOREIGN_RULE_CONTEXT =
            "package dev.flinksidecar.rule;\n"
                    + "public interface RuleContext {\n"
                    + "  String ruleId();\n"
                    + "  String version();\n"
                    + "  RuleConfig config();\n"
                    + "  System.Logger logger();\n"
                    + "  String region();\n"
                    + "}\n";

    /** Calls {@code RuleContext.region()}, which only {@link #FOREIGN_RULE_CONTEXT} has. */
    public static final String REGIONAL =
            "package testrules;\n"
                    + "import dev.flinksidecar.rule.*;\n"
                    + "public final class Regional implements Rule {\n"
                    + "  private String region;\n"
                    + "  public void open(RuleContext context) { region = context.region(); }\n"
                    + "  public void onEvent(Event event, ResultCollector out) { out.emit(Result.of(event).set(\"region\", region)); }\n"
                    + "}\n";

    /**
     * {@link TestingRuleJars#WINDOWED_SUM} that declares the config's {@code layout} (default none)
     * as its accumulator layout, and adds the config's {@code bonus} (default 0) to each amount.
     */
    public static final String LAYOUT_SUM =
            TestingRuleJars.WINDOWED_SUM
                    .replace("public final class WindowedSum", "public final class LayoutSum")
                    .replace(
                            "  private double above;\n",
                            "  private double above;\n  private String layout;\n  private double bonus;\n")
                    .replace(
                            "    above = context.config().getDouble(\"above\", Double.NEGATIVE_INFINITY);\n",
                            "    above = context.config().getDouble(\"above\", Double.NEGATIVE_INFINITY);\n"
                                    + "    layout = context.config().getString(\"layout\", null);\n"
                                    + "    bonus = context.config().getDouble(\"bonus\", 0);\n")
                    .replace(
                            "sum[0] += event.getNumber(\"amount\", 0);",
                            "sum[0] += event.getNumber(\"amount\", 0) + bonus;")
                    .replace(
                            "  public AccumulatorCodec<double[]> accumulatorCodec()",
                            "  public String stateLayout() { return layout; }\n  public AccumulatorCodec<double[]> accumulatorCodec()");

    private SwapRules() {}

    /**
     * A rule with {@code helpers} small helper classes, all of which its {@code open} loads: every
     * version of its jar puts them all into Metaspace.
     */
    public static List<String> manyClasses(int helpers) {
        List<String> sources = new ArrayList<>();
        StringBuilder touch = new StringBuilder();
        for (int i = 0; i < helpers; i++) {
            sources.add(
                    "package testrules;\n"
                            + "public final class Helper"
                            + i
                            + " {\n"
                            + "  static final String NAME = \"helper-"
                            + i
                            + "\";\n"
                            + "  public static long touch(long x) { long y = x * 31 + "
                            + i
                            + "; return (y ^ (y >>> 7)) + NAME.length(); }\n"
                            + "}\n");
            touch.append("    sum += Helper").append(i).append(".touch(").append(i).append(");\n");
        }
        sources.add(
                "package testrules;\n"
                        + "import dev.flinksidecar.rule.*;\n"
                        + "public final class Many implements Rule {\n"
                        + "  private long sum;\n"
                        + "  public void open(RuleContext context) {\n"
                        + touch
                        + "  }\n"
                        + "  public void onEvent(Event event, ResultCollector out) { out.emit(Result.of(event).set(\"sum\", sum)); }\n"
                        + "}\n");
        return sources;
    }
}
