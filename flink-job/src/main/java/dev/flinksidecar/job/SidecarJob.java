package dev.flinksidecar.job;

import dev.flinksidecar.job.local.LocalRun;
import dev.flinksidecar.job.local.LocalSidecarProcess;
import dev.flinksidecar.operator.SidecarRunnerFactory;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The main class of {@code flink-sidecar-job.jar}, for {@code flink run}: reads event files or a
 * Kafka topic, runs them through the sidecar beside each TaskManager and writes results and dead
 * letters to files or Kafka topics (flags: {@link JobArgs}). With {@code --local} it runs as {@link
 * LocalMain} does.
 *
 * <p>Bad flags give one line on stderr and exit code 2, with no stack trace; a job that fails gives
 * one line naming the root cause and exit code 1.
 */
public final class SidecarJob {

    private SidecarJob() {}

    public static void main(String[] args) {
        int code = run(args, false, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }

    /** Runs the job; returns the exit code. {@code forceLocal}: the local jar's main. */
    public static int run(String[] args, boolean forceLocal, PrintStream out, PrintStream err) {
        return run(args, forceLocal, out, err, LocalSidecarProcess::fromClassPath);
    }

    /**
     * As {@link #run(String[], boolean, PrintStream, PrintStream)}; local mode starts its sidecar
     * with {@code sidecarCommand}.
     */
    static int run(
            String[] args,
            boolean forceLocal,
            PrintStream out,
            PrintStream err,
            Supplier<List<String>> sidecarCommand) {
        if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
            out.println(JobArgs.USAGE);
            return 0;
        }
        try {
            JobArgs parsed = JobArgs.parse(args, forceLocal);
            if (parsed.local) {
                return LocalRun.run(parsed, out, sidecarCommand);
            }
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
            JobPipeline.build(env, parsed, parsed.operatorOptions(), SidecarRunnerFactory.socket());
            env.execute(parsed.jobName());
            return 0;
        } catch (UsageException e) {
            err.println("flink-sidecar: " + e.getMessage());
            err.println("Run with --help for usage.");
            return 2;
        } catch (Exception e) {
            err.println("flink-sidecar: " + Failures.explain(e));
            return 1;
        }
    }
}
