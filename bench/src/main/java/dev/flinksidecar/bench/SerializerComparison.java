package dev.flinksidecar.bench;

import dev.flinksidecar.events.EventRecord;
import dev.flinksidecar.job.source.InputRecord;
import dev.flinksidecar.job.source.InputRecordSerializer;
import dev.flinksidecar.operator.types.EventRecordSerializer;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;

/**
 * The job's event serializer between the source and {@code keyBy} against Flink's {@link
 * PojoSerializer} for a POJO of the same fields ({@link PaymentPojo}: key, time, type and the five
 * payment attributes): the same events serialized and deserialized through the views Flink's
 * network stack uses ({@link DataOutputSerializer}, {@link DataInputDeserializer}), in batches of
 * 1,024. All in one JVM, alternating within each round; ns per event of process CPU time, medians,
 * bytes per event.
 *
 * <pre>
 * java -cp "bench/target/bench-0.1.0-SNAPSHOT.jar:$(cat bench/target/classpath.txt)" \
 *     dev.flinksidecar.bench.SerializerComparison [--rounds 15] [--warmup-rounds 10] [--passes 200]
 * </pre>
 */
public final class SerializerComparison {

    private static final com.sun.management.OperatingSystemMXBean PROCESS =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private static final int EVENTS = 1024;
    private static long checksum;

    private SerializerComparison() {}

    public static void main(String[] args) throws Exception {
        int rounds = 15;
        int warmup = 10;
        int passes = 200;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[i + 1]);
                case "--warmup-rounds" -> warmup = Integer.parseInt(args[i + 1]);
                case "--passes" -> passes = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        List<EventRecord> events = SyntheticPayments.events(new Random(1), EVENTS, 10_000);
        List<PaymentPojo> pojos = new ArrayList<>();
        List<InputRecord> inputs = new ArrayList<>();
        for (EventRecord event : events) {
            pojos.add(PaymentPojo.of(event));
            inputs.add(InputRecord.event(event));
        }
        TypeSerializer<PaymentPojo> pojo =
                TypeInformation.of(PaymentPojo.class).createSerializer(new SerializerConfigImpl());
        if (!(pojo instanceof PojoSerializer)) {
            throw new AssertionError("not a POJO to Flink: " + pojo);
        }
        Map<String, Pass> ways = new LinkedHashMap<>();
        ways.put("PojoSerializer (POJO of the same fields)", new Pass<>(pojo, pojos));
        ways.put(
                "EventRecordSerializer (keyBy's input)",
                new Pass<>(EventRecordSerializer.INSTANCE.duplicate(), events));
        ways.put(
                "InputRecordSerializer (source's output)",
                new Pass<>(InputRecordSerializer.INSTANCE.duplicate(), inputs));
        for (Map.Entry<String, Pass> way : ways.entrySet()) {
            way.getValue().check(way.getKey());
        }
        System.out.printf(
                "%,d events a pass, %d passes a round; %d warm-up + %d counted rounds; %s%n",
                EVENTS, passes, warmup, rounds, System.getProperty("java.vm.version"));
        Map<String, List<Double>> nanos = new LinkedHashMap<>();
        ways.keySet().forEach(name -> nanos.put(name, new ArrayList<>()));
        for (int round = 0; round < warmup + rounds; round++) {
            StringBuilder line =
                    new StringBuilder(round < warmup ? "warm-up " : "round   ")
                            .append(round)
                            .append(':');
            for (Map.Entry<String, Pass> way : ways.entrySet()) {
                long start = PROCESS.getProcessCpuTime();
                for (int p = 0; p < passes; p++) {
                    way.getValue().run();
                }
                double ns = (PROCESS.getProcessCpuTime() - start) / (double) passes / EVENTS;
                line.append(String.format("  %.1f ns", ns));
                if (round >= warmup) {
                    nanos.get(way.getKey()).add(ns);
                }
            }
            System.out.println(line);
        }
        double baseline = 0;
        for (Map.Entry<String, List<Double>> result : nanos.entrySet()) {
            double[] values =
                    result.getValue().stream().mapToDouble(Double::doubleValue).sorted().toArray();
            double median = values[values.length / 2];
            if (baseline == 0) {
                baseline = median;
            }
            System.out.printf(
                    "%-45s median %6.1f ns per event serialized + deserialized (min %.1f, max %.1f)  x%.2f of the POJO's time  %d bytes per event%n",
                    result.getKey(),
                    median,
                    values[0],
                    values[values.length - 1],
                    median / baseline,
                    ways.get(result.getKey()).bytesPerEvent());
        }
        System.out.println("checksum " + checksum);
    }

    /** Serializes a batch of records into one buffer and reads them back. */
    private static final class Pass<T> {
        private final TypeSerializer<T> serializer;
        private final List<T> records;
        private final DataOutputSerializer out = new DataOutputSerializer(1 << 16);
        private final DataInputDeserializer in = new DataInputDeserializer();

        Pass(TypeSerializer<T> serializer, List<T> records) {
            this.serializer = serializer;
            this.records = records;
        }

        void run() throws IOException {
            out.clear();
            for (T record : records) {
                serializer.serialize(record, out);
            }
            in.setBuffer(out.getSharedBuffer(), 0, out.length());
            for (int i = 0; i < records.size(); i++) {
                if (serializer.deserialize(in) == null) {
                    checksum++;
                }
            }
            checksum += in.getPosition();
        }

        /** Every record comes back equal to the one written. */
        void check(String name) throws IOException {
            out.clear();
            for (T record : records) {
                serializer.serialize(record, out);
            }
            in.setBuffer(out.getSharedBuffer(), 0, out.length());
            for (T record : records) {
                T read = serializer.deserialize(in);
                if (!read.equals(record)) {
                    throw new AssertionError(name + ": " + read + " is not " + record);
                }
            }
        }

        long bytesPerEvent() throws IOException {
            out.clear();
            for (T record : records) {
                serializer.serialize(record, out);
            }
            return out.length() / records.size();
        }
    }

    /** A payment as a Flink POJO: public fields of the payment events' attributes. */
    public static final class PaymentPojo {
        public String key;
        public long time;
        public String type;
        public double amount;
        public String merchant;
        public String country;
        public String channel;
        public boolean cardPresent;

        public PaymentPojo() {}

        static PaymentPojo of(EventRecord event) {
            PaymentPojo pojo = new PaymentPojo();
            pojo.key = event.key();
            pojo.time = event.time();
            pojo.type = event.type();
            pojo.amount = event.doubleAt(event.indexOf("amount"));
            pojo.merchant = event.stringAt(event.indexOf("merchant"));
            pojo.country = event.stringAt(event.indexOf("country"));
            pojo.channel = event.stringAt(event.indexOf("channel"));
            pojo.cardPresent = event.booleanAt(event.indexOf("card_present"));
            return pojo;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof PaymentPojo
                    && key.equals(((PaymentPojo) o).key)
                    && time == ((PaymentPojo) o).time
                    && amount == ((PaymentPojo) o).amount
                    && merchant.equals(((PaymentPojo) o).merchant);
        }

        @Override
        public int hashCode() {
            return key.hashCode();
        }
    }
}
