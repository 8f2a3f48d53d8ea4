package io.joblib4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The in-place values of a call: views write their slots, anything else is copied, the list is the caller's own. */
class ResultSlotsTest {

    @Test
    void views_writeInPlace_andPlacingThemCopiesNothing_whileOtherListsAreCopied() {
        ResultSlots slots = new ResultSlots(5);
        List<Object> first = slots.view(0, 2);
        first.add("a");
        first.add(null);
        assertThat(first).containsExactly("a", null);
        assertThatThrownBy(() -> first.add("c"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("a batch of 2 tasks");
        slots.place(first, 0, 0);
        slots.place(new ArrayList<>(List.of("skipped", "c", "d", "e")), 1, 2);

        List<Object> out = slots.list(5);
        assertThat(out).isInstanceOf(ArrayList.class).containsExactly("a", null, "c", "d", "e");
        out.add("f");
        assertThat(slots.list(5)).as("the list is a copy").hasSize(5);
    }

    @Test
    void moreValuesThanSlots_grow_andFewerGiveAShorterList() {
        ResultSlots slots = new ResultSlots(2);
        List<Object> view = slots.view(0, 2);
        view.add(1);
        view.add(2);
        slots.place(view, 0, 0);
        slots.place(Arrays.asList(3, 4, 5), 0, 2);
        assertThat(slots.list(5)).containsExactly(1, 2, 3, 4, 5);
        // a view made before the slots grew is copied like any other list
        ResultSlots small = new ResultSlots(3);
        List<Object> old = small.view(1, 2);
        old.add("x");
        old.add("y");
        small.place(List.of("p", "q", "r", "s"), 0, 0);
        small.place(old, 0, 4);
        assertThat(small.list(6)).containsExactly("p", "q", "r", "s", "x", "y");
        assertThat(new ResultSlots(4).list(0)).isEmpty();
    }

    @Test
    void viewsOutsideTheSlots_andBadCounts_areRefused() {
        ResultSlots slots = new ResultSlots(3);
        assertThat(slots.fits(1, 2)).isTrue();
        assertThat(slots.fits(2, 2)).isFalse();
        assertThatThrownBy(() -> slots.view(2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("tasks 2 to 3 have no slots among 3");
        assertThatThrownBy(() -> slots.list(4)).hasMessageContaining("count must be within 0 to 3, got 4");
        assertThatThrownBy(() -> new ResultSlots(-1)).hasMessageContaining("size must be at least 0, got -1");
    }
}
