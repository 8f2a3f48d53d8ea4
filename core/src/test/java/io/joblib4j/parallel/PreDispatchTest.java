package io.joblib4j.parallel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PreDispatchTest {
    @Test
    void evaluate_expressionsOverNJobs() {
        assertThat(PreDispatch.parse("2*n_jobs").evaluate(4)).isEqualTo(8);
        assertThat(PreDispatch.parse(" 3 * n_jobs // 2 + 1 ").evaluate(3)).isEqualTo(5);
        assertThat(PreDispatch.parse("(n_jobs + 1) * 2").evaluate(2)).isEqualTo(6);
        assertThat(PreDispatch.parse("10").evaluate(2)).isEqualTo(10);
        assertThat(PreDispatch.parse("n_jobs / 4").evaluate(2)).isEqualTo(1); // at least 1
        assertThat(PreDispatch.parse("-n_jobs + 3 * n_jobs - 1").evaluate(2)).isEqualTo(3);
        assertThat(PreDispatch.parse("all").evaluate(2)).isEqualTo(PreDispatch.ALL);
    }

    @Test
    void parse_invalidExpression_namesItAndWhatIsAllowed() {
        assertThatThrownBy(() -> PreDispatch.parse("2*cores"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'2*cores'")
                .hasMessageContaining("n_jobs");
        assertThatThrownBy(() -> PreDispatch.parse("__import__('os')")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PreDispatch.parse("(2")).hasMessageContaining("missing ')'");
        assertThatThrownBy(() -> PreDispatch.parse("n_jobs/0")).hasMessageContaining("division by zero");
        assertThatThrownBy(() -> PreDispatch.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
