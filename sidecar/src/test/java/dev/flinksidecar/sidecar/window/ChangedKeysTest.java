package dev.flinksidecar.sidecar.window;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChangedKeysTest {

    @Test
    void aKeyMarkedThroughItsWindowsIsMarkedAgainAfterEachClear() {
        ChangedKeys changes = ChangedKeys.tracked();
        WindowsByStart windows = new WindowsByStart("a", WindowsByKey.hash("a"));
        changes.mark(windows);
        changes.mark(windows);
        assertThat(changes.keys()).containsExactly("a");
        changes.clear();
        assertThat(changes.keys()).isEmpty();
        changes.mark(windows);
        assertThat(changes.keys()).as("marked again in the next epoch").containsExactly("a");
    }

    @Test
    void theKeysCannotBeChangedFromOutside() {
        ChangedKeys changes = ChangedKeys.tracked();
        changes.markChanged("a");
        assertThatThrownBy(() -> changes.keys().remove("a"))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void untrackedMarksNothing() {
        ChangedKeys changes = ChangedKeys.untracked();
        changes.mark(new WindowsByStart("a", WindowsByKey.hash("a")));
        changes.markChanged("b");
        assertThat(changes.keys()).isEmpty();
    }
}
