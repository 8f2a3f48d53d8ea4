package io.joblib4j.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a Python joblib peer script of {@code bench/python/} and reads the results it prints (one line each, of
 * tab-separated {@code key=value} fields), so that Python
 * joblib and joblib4j are measured in one run on the same machine. Python is found as {@code JOBLIB4J_PYTHON},
 * then {@code python3}, then {@code /usr/bin/python3}: the first that imports joblib ({@code JOBLIB4J_PYTHON=none}
 * skips the peer).
 */
public final class PythonPeer {
    private PythonPeer() {}

    /** A Python that imports joblib and numpy, if there is one. */
    public static Optional<String> python() {
        List<String> candidates = new ArrayList<>();
        String env = System.getenv("JOBLIB4J_PYTHON");
        if ("none".equals(env)) {
            return Optional.empty();
        }
        if (env != null && !env.isBlank()) {
            candidates.add(env);
        }
        candidates.add("python3");
        candidates.add("/usr/bin/python3");
        for (String py : candidates) {
            try {
                Process p = new ProcessBuilder(py, "-c", "import joblib, numpy")
                        .redirectErrorStream(true)
                        .start();
                p.getInputStream().readAllBytes();
                if (p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0) {
                    return Optional.of(py);
                }
            } catch (IOException | InterruptedException e) {
                // try the next one
            }
        }
        return Optional.empty();
    }

    /** The peer script {@code bench/python/NAME}, found from the working directory or its parents. */
    public static Path script(String name) {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null) {
            Path p = dir.resolve("bench/python").resolve(name);
            if (Files.isRegularFile(p)) {
                return p;
            }
            dir = dir.getParent();
        }
        throw new IllegalStateException(
                "bench/python/" + name + " not found above " + Path.of("").toAbsolutePath());
    }

    /** Runs the script with the arguments and returns each result line as a map of its fields. */
    public static List<Map<String, String>> run(String python, String script, String... args)
            throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(python, script(script).toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        List<Map<String, String>> rows = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("scenario=")) {
                    rows.add(parseFields(line));
                }
            }
        }
        p.waitFor();
        return rows;
    }

    /** {@code a=1<TAB>b=x} -> {a: 1, b: x}. */
    static Map<String, String> parseFields(String line) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String field : line.split("\t", -1)) {
            int eq = field.indexOf('=');
            if (eq > 0) {
                out.put(field.substring(0, eq), field.substring(eq + 1));
            }
        }
        return out;
    }
}
