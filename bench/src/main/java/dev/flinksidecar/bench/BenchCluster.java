package dev.flinksidecar.bench;

import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.scheduler.ExecutionGraphInfo;
import org.apache.flink.runtime.scheduler.exceptionhistory.RootExceptionHistoryEntry;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * A MiniCluster that the benchmark holds itself (a local environment hides its own), so that it can
 * read a job's checkpoint statistics and exception history while and after the job runs. Used by
 * the benchmark's main thread.
 */
final class BenchCluster implements AutoCloseable {

    private final MiniCluster cluster;

    private BenchCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    static BenchCluster start(int slots) throws Exception {
        Configuration conf = new Configuration();
        conf.set(RestOptions.BIND_PORT, "0");
        // every checkpoint of a run stays in the statistics, not only the last 10
        conf.set(WebOptions.CHECKPOINTS_HISTORY_SIZE, 100_000);
        MiniCluster cluster =
                new MiniCluster(
                        new MiniClusterConfiguration.Builder()
                                .setConfiguration(conf)
                                .setNumTaskManagers(1)
                                .setNumSlotsPerTaskManager(slots)
                                .build());
        cluster.start();
        return new BenchCluster(cluster);
    }

    JobID submit(StreamExecutionEnvironment env) throws Exception {
        return cluster.submitJob(env.getStreamGraph().getJobGraph())
                .get(1, TimeUnit.MINUTES)
                .getJobID();
    }

    JobStatus status(JobID job) throws Exception {
        return cluster.getJobStatus(job).get(1, TimeUnit.MINUTES);
    }

    ExecutionGraphInfo info(JobID job) throws Exception {
        return cluster.getExecutionGraphInfo(job).get(1, TimeUnit.MINUTES);
    }

    /** How many times the job failed over (entries of its exception history). */
    int restarts(JobID job) throws Exception {
        int restarts = 0;
        for (RootExceptionHistoryEntry entry : info(job).getExceptionHistory()) {
            restarts++;
            System.out.println(
                    "job exception: "
                            + entry.getExceptionAsString().lines().findFirst().orElse(""));
        }
        return restarts;
    }

    /** Cancels the job unless it ended already, and waits until it has. */
    void cancel(JobID job) throws Exception {
        if (!status(job).isGloballyTerminalState()) {
            cluster.cancelJob(job).get(1, TimeUnit.MINUTES);
        }
        cluster.requestJobResult(job).get(1, TimeUnit.MINUTES);
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
