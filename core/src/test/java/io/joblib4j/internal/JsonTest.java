package io.joblib4j.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writeThenParse_roundTripsFlatMetadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("duration", 0.25);
        m.put("time", 1795258309.667);
        m.put("input_args", Map.of("x", "\"quoted\"\n\ttab\u0001"));
        m.put("methods", List.of("a", "b"));
        m.put("complete", true);
        m.put("count", 3L);
        m.put("none", null);
        String text = Json.write(m);
        assertThat(text).contains("\"time\": 1795258309.667").doesNotContain("E9");
        assertThat(Json.parseObject(text)).isEqualTo(m);
    }

    @Test
    void parse_invalid_namesOffset() {
        assertThatThrownBy(() -> Json.parse("{\"a\": tru}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("offset 6");
        assertThatThrownBy(() -> Json.parse("{\"a\": 1} x")).hasMessageContaining("after the value");
        assertThatThrownBy(() -> Json.parseObject("[1]")).hasMessageContaining("expected a JSON object");
    }

    @Test
    void byteSizes_parseJoblibStyle() {
        assertThat(ByteSizes.parse("1M")).isEqualTo(1L << 20);
        assertThat(ByteSizes.parse("2G")).isEqualTo(2L << 30);
        assertThat(ByteSizes.parse("500k")).isEqualTo(500L << 10);
        assertThat(ByteSizes.parse("1.5K")).isEqualTo(1536);
        assertThat(ByteSizes.parse("123")).isEqualTo(123);
        assertThatThrownBy(() -> ByteSizes.parse("-1M")).hasMessageContaining("\"-1M\"");
        assertThat(ByteSizes.format(1536)).isEqualTo("1.5 KiB");
    }
}
