package dev.flinksidecar.sidecar.unload;

import static org.assertj.core.api.Assertions.assertThat;

import dev.flinksidecar.proto.LoaderStatus;
import dev.flinksidecar.sidecar.Deadline;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The watch on retired classloaders: collected ones are counted, one held past the deadline is
 * reported with its holder.
 */
class RetiredLoadersTest {

    private final AtomicLong nanos = new AtomicLong();
    private final RetiredLoaders loaders =
            new RetiredLoaders(Duration.ofSeconds(10), nanos::get, () -> 1_767_225_600_000L);
    private final CountDownLatch stop = new CountDownLatch(1);

    @AfterEach
    void stopThreads() {
        stop.countDown();
    }

    @Test
    void aLoaderThatNothingHoldsIsCollected() throws IOException {
        retireALoaderNobodyHolds();

        Deadline.await(
                "the loader to be collected",
                Duration.ofSeconds(30),
                () -> {
                    loaders.check(true);
                    return loaders.status().getCollected() == 1;
                });
        assertThat(loaders.status().getWaiting()).isZero();
        assertThat(loaders.status().getLeakedList()).isEmpty();
    }

    @Test
    void aLoaderHeldByAThreadItStartedIsReportedOnceOverdueWithTheThread() throws Exception {
        URLClassLoader loader = new URLClassLoader("rule:leaky@1.0.0+abcdef0", new URL[0], null);
        Thread worker = new Thread(() -> await(stop), "leaky-worker-1");
        worker.setContextClassLoader(loader);
        worker.setDaemon(true);
        worker.start();
        loader.close();
        loaders.retire(loader);
        loader = null;

        loaders.check(false);
        assertThat(loaders.status().getWaiting()).as("within the deadline").isOne();
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        loaders.check(false);

        LoaderStatus status = loaders.status();
        assertThat(status.getWaiting()).isZero();
        assertThat(status.getLeakedList())
                .singleElement()
                .satisfies(
                        leaked -> {
                            assertThat(leaked.getName()).isEqualTo("rule:leaky@1.0.0+abcdef0");
                            assertThat(leaked.getHoldersList())
                                    .contains(
                                            "thread 'leaky-worker-1' (daemon, its context classloader is the rule's)");
                        });

        stop.countDown();
        worker.join();
        worker = null;
        Deadline.await(
                "the loader to be collected once its thread ended",
                Duration.ofSeconds(30),
                () -> {
                    loaders.check(true);
                    return loaders.status().getCollected() == 1;
                });
        assertThat(loaders.status().getLeakedList()).isEmpty();
    }

    @Test
    void aThreadLocalValueOfARuleClassIsNamed() throws Exception {
        URLClassLoader loader =
                new URLClassLoader(
                        "rule:local@1.0.0+abcdef0", new URL[0], getClass().getClassLoader());
        Class<?> ruleClass = java.lang.reflect.Proxy.getProxyClass(loader, Runnable.class);
        ThreadLocal<Object> local = new ThreadLocal<>();
        Thread holder =
                new Thread(
                        () -> {
                            try {
                                local.set(
                                        ruleClass
                                                .getConstructor(
                                                        java.lang.reflect.InvocationHandler.class)
                                                .newInstance(
                                                        (java.lang.reflect.InvocationHandler)
                                                                (p, m, a) -> null));
                            } catch (ReflectiveOperationException e) {
                                throw new IllegalStateException(e);
                            }
                            await(stop);
                        },
                        "pool-thread");
        holder.setDaemon(true);
        holder.start();
        Deadline.await(
                "the thread-local to be set",
                Duration.ofSeconds(10),
                () -> holder.getState() == Thread.State.WAITING);
        loaders.retire(loader);
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());

        loaders.check(false);

        assertThat(loaders.status().getLeakedList())
                .singleElement()
                .satisfies(
                        leaked ->
                                assertThat(leaked.getHoldersList())
                                        .anyMatch(
                                                h ->
                                                        h.startsWith(
                                                                "thread 'pool-thread' holds a thread-local value of class ")));
    }

    private void retireALoaderNobodyHolds() throws IOException {
        URLClassLoader loader = new URLClassLoader("rule:clean@1.0.0+abcdef0", new URL[0], null);
        loader.close();
        loaders.retire(loader);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
