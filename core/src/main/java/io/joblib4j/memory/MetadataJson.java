package io.joblib4j.memory;

import com.fasterxml.jackson.jr.ob.JSON;
import java.io.IOException;
import java.util.Map;

/**
 * The cache's metadata files as JSON (jackson-jr): indented objects of strings, numbers, booleans, lists and maps,
 * readable by people and by joblib-style tools.
 */
final class MetadataJson {
    private static final JSON WRITER = JSON.std.with(JSON.Feature.PRETTY_PRINT_OUTPUT);
    private static final JSON READER = JSON.std.with(JSON.Feature.USE_DEFERRED_MAPS, false);

    private MetadataJson() {}

    /** {@code value} as indented JSON text, ending with a newline. */
    static String write(Map<String, ?> value) {
        try {
            return WRITER.asString(value) + "\n";
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot write metadata as JSON: " + e.getMessage(), e);
        }
    }

    /**
     * The JSON object in {@code text}, keys in file order.
     *
     * @throws IllegalArgumentException if the text is not one JSON object
     */
    static Map<String, Object> parseObject(String text) {
        Object value;
        try {
            value = READER.anyFrom(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("expected a JSON object, got "
                    + (value == null ? "null" : value.getClass().getSimpleName()));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) map;
        return object;
    }
}
