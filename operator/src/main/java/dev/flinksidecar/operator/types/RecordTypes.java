package dev.flinksidecar.operator.types;

import dev.flinksidecar.events.EventRecord;
import org.apache.flink.api.common.typeinfo.TypeInformation;

/** The type information of the records that flow between the job's operators. */
public final class RecordTypes {

    /** Events as the source produces them and the sidecar operator consumes them. */
    public static final TypeInformation<EventRecord> EVENT =
            new RecordTypeInfo<>(EventRecord.class, EventRecordSerializer.INSTANCE);

    /** Results as the sidecar operator emits them. */
    public static final TypeInformation<ResultRecord> RESULT =
            new RecordTypeInfo<>(ResultRecord.class, ResultRecordSerializer.INSTANCE);

    private RecordTypes() {}
}
