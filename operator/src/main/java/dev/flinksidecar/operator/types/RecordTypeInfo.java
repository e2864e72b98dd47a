package dev.flinksidecar.operator.types;

import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * Flink type information for one of the job's record classes, backed by a hand-written stateless
 * serializer, so that Flink never falls back to Kryo for them.
 *
 * <p>Use the constants in {@link RecordTypes} rather than making new instances.
 */
public final class RecordTypeInfo<T> extends TypeInformation<T> {

    private final Class<T> typeClass;
    private final TypeSerializer<T> serializer;

    public RecordTypeInfo(Class<T> typeClass, TypeSerializer<T> serializer) {
        this.typeClass = Objects.requireNonNull(typeClass);
        this.serializer = Objects.requireNonNull(serializer);
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 1;
    }

    @Override
    public int getTotalFields() {
        return 1;
    }

    @Override
    public Class<T> getTypeClass() {
        return typeClass;
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<T> createSerializer(SerializerConfig config) {
        return serializer.duplicate();
    }

    @Override
    public String toString() {
        return typeClass.getSimpleName();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordTypeInfo && ((RecordTypeInfo<?>) o).typeClass == typeClass;
    }

    @Override
    public int hashCode() {
        return typeClass.hashCode();
    }

    @Override
    public boolean canEqual(Object o) {
        return o instanceof RecordTypeInfo;
    }
}
