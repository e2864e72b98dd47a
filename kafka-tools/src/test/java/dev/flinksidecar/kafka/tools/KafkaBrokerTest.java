package dev.flinksidecar.kafka.tools;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import org.junit.jupiter.api.Test;

class KafkaBrokerTest {

    /**
     * Regression: one start in 64 failed with "argument --cluster-id/-t: expected one argument"
     * because the random id began with {@code -}. Among 10,000 ids an unfixed generator gives such
     * an id all but surely.
     */
    @Test
    void clusterIdsNeverLookLikeAnOption() {
        for (int i = 0; i < 10_000; i++) {
            String id = KafkaBroker.clusterId();
            assertThat(id).doesNotStartWith("-");
            assertThat(Base64.getUrlDecoder().decode(id)).hasSize(16);
        }
    }
}
