package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventProtos;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.proto.Event;
import dev.flinksidecar.proto.EventBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Cost per event of one batch of 1024 payment events through the wire format, encode to bytes and
 * decode to what a rule reads: the columnar {@link EventBatch} against one {@link Event} message
 * per event (typed attributes, the better of the row layouts).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {

    static final int BATCH = 1024;

    private final List<EventRecord> events = new ArrayList<>();
    private final EventBatchWriter writer = new EventBatchWriter();

    @Setup
    public void setUp() {
        events.addAll(SyntheticPayments.events(new Random(7), BATCH, 10_000));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void columnarBatch(Blackhole hole) throws Exception {
        writer.clear();
        for (EventRecord event : events) {
            writer.add(event);
        }
        byte[] bytes = writer.build(1, true, 0).toByteArray();
        EventBatchView view = new EventBatchView(EventBatch.parseFrom(bytes));
        for (int i = 0; i < view.size(); i++) {
            view.at(i);
            hole.consume(view.key());
            hole.consume(view.getNumber("amount", 0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void messagePerEvent(Blackhole hole) throws Exception {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(BATCH * 128);
        for (EventRecord event : events) {
            EventProtos.toProto(event).writeDelimitedTo(out);
        }
        java.io.ByteArrayInputStream in = new java.io.ByteArrayInputStream(out.toByteArray());
        for (Event e = Event.parseDelimitedFrom(in); e != null; e = Event.parseDelimitedFrom(in)) {
            EventRecord event = EventProtos.fromProto(e);
            hole.consume(event.key());
            hole.consume(event.getNumber("amount", 0));
        }
    }
}
