package io.joblib4j.cli.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class TableTest {
    @Test
    void lines_headerRuleAndColumns_widestCellTwoSpacesApartNoTrailingSpaces() {
        List<String> lines = Table.lines(
                List.of(
                        new String[] {"function", "entries", "size"},
                        new String[] {"f", "12", "1.5 MiB"},
                        new String[] {"a.longer.name", "3", ""}),
                false,
                true);
        assertThat(lines)
                .containsExactly(
                        "function       entries  size",
                        "-------------  -------  -------",
                        "f                   12  1.5 MiB",
                        "a.longer.name        3");
    }

    @Test
    void lines_noRows_isEmpty() {
        assertThat(Table.lines(List.of())).isEmpty();
    }

    @Test
    void lines_rowWithOtherWidth_namesBothCounts() {
        assertThatThrownBy(() -> Table.lines(List.of(new String[] {"a", "b"}, new String[] {"x"})))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1 cells, expected 2");
    }
}
