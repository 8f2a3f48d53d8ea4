package io.joblib4j.array;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finds a Python with NumPy (JOBLIB4J_PYTHON, then python3, then /usr/bin/python3) and runs scripts with it. */
final class PythonNumpy {
    private static Optional<String> found;

    private PythonNumpy() {}

    static synchronized Optional<String> find() {
        if (found == null) {
            found = Optional.empty();
            List<String> candidates = new ArrayList<>();
            String env = System.getenv("JOBLIB4J_PYTHON");
            if (env != null && !env.isBlank()) {
                candidates.add(env);
            }
            candidates.add("python3");
            candidates.add("/usr/bin/python3");
            for (String py : candidates) {
                try {
                    if (run(py, "import numpy", null).exitCode == 0) {
                        found = Optional.of(py);
                        break;
                    }
                } catch (IOException e) {
                    // not installed: try the next one
                }
            }
        }
        return found;
    }

    record Result(int exitCode, String output) {}

    static Result run(String python, String script, Path workDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(python, "-c", script).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        Process p = pb.start();
        try {
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "\n(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
