package dev.flinksidecar.job.source;

import dev.flinksidecar.events.EventRecord;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits the source's records: events to the main output, malformed records to {@link #MALFORMED}
 * as dead-letter lines. Counts both in the accumulators {@value #EVENTS_IN} and {@value
 * #MALFORMED_IN}. Task thread.
 */
public final class InputSplitter extends ProcessFunction<InputRecord, EventRecord> {

    private static final long serialVersionUID = 1L;

    /** Dead letters of malformed input records. */
    public static final OutputTag<String> MALFORMED =
            new OutputTag<>("malformed-input", Types.STRING);

    public static final String EVENTS_IN = "events-in";
    public static final String MALFORMED_IN = "malformed-in";

    private transient LongCounter events;
    private transient LongCounter malformed;

    @Override
    public void open(OpenContext context) {
        events = new LongCounter();
        malformed = new LongCounter();
        getRuntimeContext().addAccumulator(EVENTS_IN, events);
        getRuntimeContext().addAccumulator(MALFORMED_IN, malformed);
    }

    @Override
    public void processElement(InputRecord record, Context ctx, Collector<EventRecord> out) {
        if (record.event() != null) {
            events.add(1);
            out.collect(record.event());
        } else {
            malformed.add(1);
            ctx.output(MALFORMED, record.deadLetter());
        }
    }
}
