package dev.flinksidecar.sidecar.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SerialExecutorTest {

    @Test
    void runsTasksOneAtATimeInSubmissionOrderOnAPool() throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            SerialExecutor serial = new SerialExecutor(pool);
            List<Integer> ran =
                    new ArrayList<>(); // unsynchronised on purpose: tasks must not overlap
            AtomicInteger running = new AtomicInteger();
            AtomicInteger overlaps = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(1000);
            for (int i = 0; i < 1000; i++) {
                int n = i;
                serial.execute(
                        () -> {
                            if (running.incrementAndGet() > 1) {
                                overlaps.incrementAndGet();
                            }
                            ran.add(n);
                            running.decrementAndGet();
                            done.countDown();
                        });
            }
            assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(overlaps).hasValue(0);
            assertThat(ran).hasSize(1000).isSorted();
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void givesThePoolThreadBackAfterItsFairShare() {
        Queue<Runnable> pool = new ArrayDeque<>();
        SerialExecutor serial = new SerialExecutor(pool::add);
        AtomicInteger ran = new AtomicInteger();
        for (int i = 0; i < SerialExecutor.FAIR_SHARE + 3; i++) {
            serial.execute(ran::incrementAndGet);
        }
        assertThat(pool).hasSize(1);

        pool.poll().run();
        assertThat(ran).hasValue(SerialExecutor.FAIR_SHARE);
        assertThat(pool).as("resubmitted for the rest").hasSize(1);
        pool.poll().run();
        assertThat(ran).hasValue(SerialExecutor.FAIR_SHARE + 3);
        assertThat(pool).isEmpty();
    }

    @Test
    void runsOnTheCallerWhenThePoolIsShutDownSoCleanupIsNotLost() {
        SerialExecutor serial =
                new SerialExecutor(
                        task -> {
                            throw new RejectedExecutionException("shut down");
                        });
        AtomicInteger ran = new AtomicInteger();
        serial.execute(ran::incrementAndGet);
        assertThat(ran).hasValue(1);
    }

    @Test
    void aFailingTaskDoesNotStopTheNext() {
        SerialExecutor serial = new SerialExecutor(Runnable::run);
        AtomicInteger ran = new AtomicInteger();
        serial.execute(
                () -> {
                    throw new IllegalStateException("boom");
                });
        serial.execute(ran::incrementAndGet);
        assertThat(ran).hasValue(1);
    }
}
