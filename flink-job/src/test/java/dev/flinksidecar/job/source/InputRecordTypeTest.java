package dev.flinksidecar.job.source;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * The source's type information gives its own serializer (never Kryo) and survives serialization.
 */
class InputRecordTypeTest {

    @Test
    void typeInformationGivesTheHandWrittenSerializer() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // would throw if anything fell back to Kryo
        assertThat(InputRecord.TYPE.createSerializer(config))
                .isInstanceOf(InputRecordSerializer.class)
                .isNotSameAs(InputRecordSerializer.INSTANCE); // stateful: a copy per use
    }

    @Test
    void typeInformationIsSerializableAndEqualAfterwards() throws Exception {
        assertThat(InstantiationUtil.clone(InputRecord.TYPE))
                .isEqualTo(InputRecord.TYPE)
                .hasSameHashCodeAs(InputRecord.TYPE);
    }
}
