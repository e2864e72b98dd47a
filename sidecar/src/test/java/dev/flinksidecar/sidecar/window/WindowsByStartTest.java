package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowsByStartTest {

    @Test
    void behavesAsAMapFromStartToWindowOverRandomChanges() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            // aligned starts: multiples of a slide, negative ones and a non-zero offset included
            long slide = new long[] {1, 1000, 10_000, 300_000}[random.nextInt(4)];
            long offset = random.nextInt(3) * 7;
            int range = 1 + random.nextInt(64);
            WindowsByStart windows = new WindowsByStart("key", 0);
            Map<Long, WindowSlot> expected = new HashMap<>();
            for (int op = 0; op < 5_000; op++) {
                long start = (random.nextInt(2 * range) - range) * slide + offset;
                switch (random.nextInt(3)) {
                    case 0 -> {
                        WindowSlot slot = new WindowSlot(start, start + slide, null, op);
                        windows.put(slot);
                        expected.put(start, slot);
                    }
                    case 1 -> {
                        windows.remove(start);
                        expected.remove(start);
                    }
                    default ->
                            assertThat(windows.get(start))
                                    .as("seed %d, op %d: get(%d)", seed, op, start)
                                    .isSameAs(expected.get(start));
                }
                assertThat(windows.size()).isEqualTo(expected.size());
            }
            for (Map.Entry<Long, WindowSlot> entry : expected.entrySet()) {
                assertThat(windows.get(entry.getKey())).isSameAs(entry.getValue());
            }
            assertThat(visited(windows)).containsExactlyInAnyOrderElementsOf(expected.values());
        }
    }

    @Test
    void growsAndEmptiesAgain() {
        WindowsByStart windows = new WindowsByStart("key", 0);
        for (long start = 0; start < 1000; start++) {
            windows.put(new WindowSlot(start * 60_000, (start + 1) * 60_000, null, 0));
        }
        assertThat(windows.size()).isEqualTo(1000);
        for (long start = 0; start < 1000; start += 2) {
            windows.remove(start * 60_000);
        }
        for (long start = 0; start < 1000; start++) {
            assertThat(windows.get(start * 60_000) != null)
                    .as("window %d", start)
                    .isEqualTo(start % 2 == 1);
        }
        for (long start = 1; start < 1000; start += 2) {
            windows.remove(start * 60_000);
        }
        assertThat(windows.isEmpty()).isTrue();
        assertThat(visited(windows)).isEmpty();
        windows.remove(42); // absent: nothing happens
        assertThat(windows.get(0)).isNull();
    }

    @Test
    void aPutWithTheStartOfAnOpenWindowReplacesIt() {
        WindowsByStart windows = new WindowsByStart("key", 0);
        WindowSlot first = new WindowSlot(10_000, 20_000, null, 1);
        WindowSlot second = new WindowSlot(10_000, 20_000, null, 2);
        windows.put(first);
        windows.put(second);
        assertThat(windows.size()).isEqualTo(1);
        assertThat(windows.get(10_000)).isSameAs(second);
    }

    private static List<WindowSlot> visited(WindowsByStart windows) {
        List<WindowSlot> slots = new ArrayList<>();
        windows.forEach(slots::add);
        Map<WindowSlot, Boolean> once = new IdentityHashMap<>();
        slots.forEach(s -> assertThat(once.put(s, true)).as("visited twice: %s", s).isNull());
        return slots;
    }
}
