package dev.flinksidecar.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The Kafka overlays ({@code overlays/operator-kafka}, {@code overlays/standalone-kafka}, both
 * {@code components/kafka} on an overlay): the job reads and writes the topics and the broker that
 * the ConfigMap {@code flink-sidecar-kafka} names, and nothing else differs from the file overlay
 * underneath.
 */
class KafkaManifestsTest {

    @ParameterizedTest
    @ValueSource(strings = {"operator", "standalone"})
    void theJobArgsTakeTheBrokerAndTopicsFromTheConfigMap(String overlay) throws Exception {
        Rendered kafka =
                Kustomize.render(Kustomize.K8S.resolve("overlays").resolve(overlay + "-kafka"));
        Map<String, Object> configMap = kafka.find("ConfigMap", "flink-sidecar-kafka");
        assertThat(configMap).as("the ConfigMap flink-sidecar-kafka").isNotNull();
        Map<String, Object> data = Tree.map(configMap.get("data"), "flink-sidecar-kafka data");
        assertThat(data).containsOnlyKeys("bootstrap-servers", "input-topic", "output-topic");
        String bootstrap = (String) data.get("bootstrap-servers");

        List<String> args = kafka.jobArgs();
        assertThat(Containers.option(args, "--input", overlay + "-kafka job args"))
                .isEqualTo("kafka://" + bootstrap + "/" + data.get("input-topic"));
        assertThat(Containers.option(args, "--output", overlay + "-kafka job args"))
                .isEqualTo("kafka://" + bootstrap + "/" + data.get("output-topic"));

        // the rest is the file overlay's: same args but --input/--output, same objects but the
        // ConfigMap
        Rendered files = Kustomize.overlay(overlay);
        assertThat(withoutIo(args)).isEqualTo(withoutIo(files.jobArgs()));
        assertThat(
                        kafka.objects.stream()
                                .filter(o -> o != configMap)
                                .map(KafkaManifestsTest::withoutJobArgs)
                                .toList())
                .isEqualTo(files.objects.stream().map(KafkaManifestsTest::withoutJobArgs).toList());
    }

    private static List<String> withoutIo(List<String> args) {
        List<String> rest = new ArrayList<>(args);
        for (String flag : List.of("--input", "--output")) {
            int at = rest.indexOf(flag);
            rest.remove(at + 1);
            rest.remove(at);
        }
        return rest;
    }

    /** The object as text with its job args (FlinkDeployment or submit Job) left out. */
    private static String withoutJobArgs(Map<String, Object> object) {
        return String.valueOf(object)
                .replaceAll("args=\\[--input, [^,]*, --output, [^,]*,", "args=[IO,")
                .replaceAll("--input, [^,]*, --output, [^,]*,", "IO,");
    }
}
