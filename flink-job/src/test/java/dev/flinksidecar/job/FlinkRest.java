package dev.flinksidecar.job;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;

/**
 * Reads operator metrics of a running job through Flink's REST API, as a dashboard would: the
 * largest value over the subtasks of the vertex whose name starts with a given prefix.
 */
final class FlinkRest {

    private final String base;
    private final HttpClient http = HttpClient.newHttpClient();

    FlinkRest(Configuration clientConfiguration) {
        this.base =
                "http://"
                        + clientConfiguration.get(RestOptions.ADDRESS)
                        + ":"
                        + clientConfiguration.get(RestOptions.PORT);
    }

    /**
     * The largest value of metric {@code metric} of operator {@code operator} over the subtasks of
     * the vertex whose name starts with {@code vertexPrefix}; empty when not reported yet.
     */
    @SuppressWarnings("unchecked")
    OptionalDouble max(JobID job, String vertexPrefix, String operator, String metric)
            throws IOException, InterruptedException, JsonException {
        Map<String, Object> details = get("/jobs/" + job);
        for (Object v : (List<Object>) details.get("vertices")) {
            Map<String, Object> vertex = (Map<String, Object>) v;
            if (((String) vertex.get("name")).startsWith(vertexPrefix)) {
                String id = operator + "." + metric;
                Object values =
                        Json.parse(
                                fetch(
                                        "/jobs/"
                                                + job
                                                + "/vertices/"
                                                + vertex.get("id")
                                                + "/subtasks/metrics?get="
                                                + id
                                                + "&agg=max"));
                for (Object entry : (List<Object>) values) {
                    Map<String, Object> m = (Map<String, Object>) entry;
                    if (id.equals(m.get("id")) && m.get("max") instanceof Number) {
                        return OptionalDouble.of(((Number) m.get("max")).doubleValue());
                    }
                }
            }
        }
        return OptionalDouble.empty();
    }

    /**
     * How many subtasks of the vertex whose name starts with {@code vertexPrefix} are RUNNING: past
     * {@code open()} of their operators (a task is INITIALIZING until then).
     */
    @SuppressWarnings("unchecked")
    int runningSubtasks(JobID job, String vertexPrefix)
            throws IOException, InterruptedException, JsonException {
        for (Object v : (List<Object>) get("/jobs/" + job).get("vertices")) {
            Map<String, Object> vertex = (Map<String, Object>) v;
            if (((String) vertex.get("name")).startsWith(vertexPrefix)) {
                Object running = ((Map<String, Object>) vertex.get("tasks")).get("RUNNING");
                return running instanceof Number ? ((Number) running).intValue() : 0;
            }
        }
        return 0;
    }

    /**
     * Waits (at most a minute) until all {@code parallelism} subtasks of the vertex whose name
     * starts with {@code vertexPrefix} are RUNNING, so their sessions with the sidecar are open.
     */
    void awaitRunning(JobID job, String vertexPrefix, int parallelism) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(1);
        while (runningSubtasks(job, vertexPrefix) < parallelism) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "the subtasks of " + vertexPrefix + " did not all run within a minute");
            }
            Thread.sleep(50); // polling the REST API, bounded by the deadline
        }
    }

    private Map<String, Object> get(String path)
            throws IOException, InterruptedException, JsonException {
        return Json.parseObject(fetch(path));
    }

    private String fetch(String path) throws IOException, InterruptedException {
        HttpResponse<String> response =
                http.send(
                        HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException(
                    "GET " + path + ": HTTP " + response.statusCode() + ": " + response.body());
        }
        return response.body();
    }
}
