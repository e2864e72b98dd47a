package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WindowsByKeyTest {

    @Test
    void behavesAsAMapFromKeyToWindowsOverRandomChanges() {
        for (long seed = 1; seed <= 20; seed++) {
            Random random = new Random(seed);
            int range = 1 + random.nextInt(200);
            WindowsByKey table = new WindowsByKey();
            Map<String, WindowsByStart> expected = new HashMap<>();
            for (int op = 0; op < 5_000; op++) {
                // new String: a lookup must not depend on the key's identity
                String key = new String("card-" + random.nextInt(range));
                switch (random.nextInt(3)) {
                    case 0 -> {
                        WindowsByStart windows = table.getOrAdd(key);
                        assertThat(windows.key).isEqualTo(key);
                        WindowsByStart before = expected.putIfAbsent(key, windows);
                        if (before != null) {
                            assertThat(windows).isSameAs(before);
                        }
                    }
                    case 1 -> {
                        WindowsByStart windows = expected.remove(key);
                        if (windows != null) {
                            table.remove(windows);
                        }
                    }
                    default ->
                            assertThat(table.get(key))
                                    .as("seed %d, op %d: get(%s)", seed, op, key)
                                    .isSameAs(expected.get(key));
                }
                assertThat(table.size()).isEqualTo(expected.size());
            }
            for (Map.Entry<String, WindowsByStart> entry : expected.entrySet()) {
                assertThat(table.get(entry.getKey())).isSameAs(entry.getValue());
            }
            List<WindowsByStart> visited = new ArrayList<>();
            table.forEach(visited::add);
            assertThat(visited).containsExactlyInAnyOrderElementsOf(expected.values());
        }
    }

    @Test
    void keysWithTheSameHashStayApart() {
        WindowsByKey table = new WindowsByKey();
        // "Aa" and "BB" have the same String.hashCode, so do their concatenations
        List<String> keys = List.of("AaAa", "AaBB", "BBAa", "BBBB");
        for (String key : keys) {
            table.getOrAdd(key);
        }
        assertThat(table.size()).isEqualTo(4);
        table.remove(table.get("AaBB"));
        assertThat(table.get("AaBB")).isNull();
        assertThat(table.get("AaAa").key).isEqualTo("AaAa");
        assertThat(table.get("BBAa").key).isEqualTo("BBAa");
        assertThat(table.get("BBBB").key).isEqualTo("BBBB");
    }
}
