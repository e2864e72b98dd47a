package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventProtos;
import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.events.wire.EventBatchColumns;
import dev.flinksidecar.events.wire.EventBatchView;
import dev.flinksidecar.events.wire.EventBatchWriter;
import dev.flinksidecar.events.wire.Frames;
import dev.flinksidecar.proto.AttributeKind;
import dev.flinksidecar.proto.ClientMessage;
import dev.flinksidecar.proto.Event;
import dev.flinksidecar.proto.EventBatch;
import java.util.ArrayList;
import java.util.Arrays;
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
 * decode to what a rule reads: the columnar {@link EventBatch} as the operator and sidecar do it
 * (hand-written: {@link EventBatchWriter#frame} into the frame's bytes, {@link EventBatchColumns}
 * and {@link EventBatchView} over them), the same columns through the generated builder and parser
 * (what both sides did before), and one {@link Event} message per event (typed attributes, the
 * better of the row layouts). {@code encodeOnly} and {@code decodeOnly} split the first into its
 * two sides.
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
        events.forEach(writer::add);
        frame = writer.frame(1, true, 0);
    }

    private byte[] frame;

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void columnarBatch(Blackhole hole) throws Exception {
        writer.clear();
        for (EventRecord event : events) {
            writer.add(event);
        }
        byte[] bytes = writer.frame(1, true, 0);
        read(bytes, hole);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public byte[] encodeOnly() {
        writer.clear();
        for (EventRecord event : events) {
            writer.add(event);
        }
        return writer.frame(1, true, 0);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeOnly(Blackhole hole) throws Exception {
        read(frame, hole);
    }

    /** What the sidecar does with a frame: the batch's columns, a view, a rule's reads. */
    private static void read(byte[] frame, Blackhole hole) throws Exception {
        int start = 4 + 1 + (frame[5] < 0 ? (frame[6] < 0 ? (frame[7] < 0 ? 4 : 3) : 2) : 1);
        EventBatchView view =
                new EventBatchView(
                        EventBatchColumns.read(Arrays.copyOfRange(frame, start, frame.length)));
        for (int i = 0; i < view.size(); i++) {
            view.at(i);
            hole.consume(view.key());
            hole.consume(view.getNumber("amount", 0));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void columnarGenerated(Blackhole hole) throws Exception {
        byte[] bytes =
                Frames.encode(
                        ClientMessage.newBuilder()
                                .setEvents(GeneratedBatch.of(events, 1, 0))
                                .build());
        EventBatch batch =
                ClientMessage.parseFrom(Arrays.copyOfRange(bytes, 4, bytes.length)).getEvents();
        int amount = batch.getAttributeNamesList().indexOf("amount");
        int doubles = 0;
        int tag = 0;
        for (int i = 0; i < batch.getKeyCount(); i++) {
            hole.consume(batch.getKey(i));
            for (int a = 0; a < batch.getAttributeCount(i); a++, tag++) {
                int t = batch.getAttributeTag(tag);
                if ((t & 7) == AttributeKind.ATTRIBUTE_KIND_DOUBLE_VALUE) {
                    if (t >>> 3 == amount) {
                        hole.consume(batch.getDoubleValues(doubles));
                    }
                    doubles++;
                }
            }
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
