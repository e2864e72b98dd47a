package dev.flinksidecar.sidecar.rules.running;

/**
 * Sets the engine thread's context classloader to the loader of the rule about to be called, only
 * when it changes (most events go through the same few rules in turn), and puts the original back
 * at the end.
 *
 * <p>One thread: the engine's. A rule thread the engine abandoned (stuck in rule code while another
 * thread finished its batch) changes nothing here when it comes back: only the thread that began
 * switching switches.
 */
final class ContextSwitch {

    private volatile Thread thread;
    private ClassLoader original;
    private ClassLoader current;

    /** Starts switching on the calling thread. */
    void begin() {
        thread = Thread.currentThread();
        original = thread.getContextClassLoader();
        current = original;
    }

    /** Makes {@code loader} the context classloader. */
    void enter(ClassLoader loader) {
        if (current != loader && thread == Thread.currentThread()) {
            current = loader;
            thread.setContextClassLoader(loader);
        }
    }

    /** Restores the original context classloader and forgets the loaders it saw. */
    void end() {
        if (thread != null) {
            thread.setContextClassLoader(original);
        }
        thread = null;
        original = null;
        current = null;
    }
}
