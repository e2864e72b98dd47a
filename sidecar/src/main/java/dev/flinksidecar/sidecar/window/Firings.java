package dev.flinksidecar.sidecar.window;

/**
 * Where {@link EventTimeWindows} puts what it decides: window firings (already passed through the
 * rule's {@code getResult} and {@code keepResult}) and firings that the rule failed on.
 *
 * <p>Called on the thread that called {@link EventTimeWindows#onElement} or {@link
 * EventTimeWindows#onWatermark}, during that call.
 */
public interface Firings {

    /**
     * A window fired.
     *
     * @param key the key whose window it is
     * @param start the window's start, inclusive
     * @param end the window's end, exclusive
     * @param value what the rule's {@code getResult} returned
     * @param count the number of events in the window
     */
    void fire(String key, long start, long end, double value, long count);

    /**
     * A firing on a watermark failed in rule code ({@code getResult} or {@code keepResult} threw);
     * the result is dropped, the window goes on as if it had fired.
     */
    void failed(String key, long start, long end, Throwable error);
}
