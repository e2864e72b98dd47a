package dev.flinksidecar.operator.types;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/**
 * The operator's type information gives its own serializers (never Kryo) and survives
 * serialization.
 */
class RecordTypesTest {

    @Test
    void typeInformationGivesTheHandWrittenSerializers() {
        SerializerConfigImpl config = new SerializerConfigImpl();
        config.setGenericTypes(false); // would throw if anything fell back to Kryo
        assertThat(RecordTypes.EVENT.createSerializer(config))
                .isInstanceOf(EventRecordSerializer.class)
                .isNotSameAs(EventRecordSerializer.INSTANCE); // stateful: a copy per use
        assertThat(RecordTypes.RESULT.createSerializer(config))
                .isInstanceOf(ResultRecordSerializer.class)
                .isNotSameAs(ResultRecordSerializer.INSTANCE);
    }

    @Test
    void typeInformationIsSerializableAndEqualAfterwards() throws Exception {
        for (TypeInformation<?> type :
                new TypeInformation<?>[] {RecordTypes.EVENT, RecordTypes.RESULT}) {
            TypeInformation<?> copy = InstantiationUtil.clone(type);
            assertThat(copy).isEqualTo(type).hasSameHashCodeAs(type);
        }
    }
}
