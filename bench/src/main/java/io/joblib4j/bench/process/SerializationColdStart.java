package io.joblib4j.bench.process;

import io.joblib4j.SerializableFunction;
import io.joblib4j.backend.Batch;
import io.joblib4j.backend.BatchContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.fory.Fory;
import org.apache.fory.config.Language;

/**
 * Why the process channel uses JDK serialization: the cost of the first batch (of {@code map} calls: one function,
 * many arguments) a fresh JVM (a new worker) encodes and decodes, and the warm cost per task, for JDK serialization
 * and Apache Fory. Each codec is measured in a JVM of its
 * own, started by this program.
 *
 * <p>Run: {@code java -cp "cli/target/joblib4j-cli.jar:cli/target/lib/*" io.joblib4j.bench.process.SerializationColdStart}
 */
public final class SerializationColdStart {
    private SerializationColdStart() {}

    static int plusOne(int x) {
        return x + 1;
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 1) {
            measure(args[0]);
            return;
        }
        for (String codec : List.of("jdk", "fory")) {
            List<String> cmd = List.of(
                    ProcessHandle.current().info().command().orElse("java"),
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    System.getProperty("java.class.path"),
                    SerializationColdStart.class.getName(),
                    codec);
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            p.waitFor();
            System.out.println(
                    out.lines().filter(l -> l.startsWith(codec)).findFirst().orElse(out));
        }
    }

    /** Plain JDK serialization, as the process channel uses it (without its hook for shared arrays). */
    private static byte[] jdkEncode(Object value, Object unused) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(value);
        }
        return bytes.toByteArray();
    }

    private static Object jdkDecode(byte[] bytes, Object unused) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return in.readObject();
        }
    }

    private static Object[] ints(int n) {
        Object[] a = new Object[n];
        for (int i = 0; i < n; i++) {
            a[i] = i;
        }
        return a;
    }

    private static void measure(String codec) throws Exception {
        SerializableFunction<Integer, Integer> f = SerializationColdStart::plusOne;
        long start = System.nanoTime();
        Fory fory = null;
        if (codec.equals("fory")) {
            fory = Fory.builder()
                    .withLanguage(Language.JAVA)
                    .requireClassRegistration(false)
                    .withRefTracking(true)
                    .build();
        }
        Object message = Batch.ofCalls(0, f, ints(100), BatchContext.none());
        byte[] bytes = codec.equals("fory") ? fory.serialize(message) : jdkEncode(message, null);
        Object back = codec.equals("fory") ? fory.deserialize(bytes) : jdkDecode(bytes, null);
        long first = System.nanoTime() - start;
        if (((Batch) back).tasks().size() != 100) {
            throw new IllegalStateException("round trip lost tasks");
        }
        Object big = Batch.ofCalls(0, f, ints(20_000), BatchContext.none());
        long best = Long.MAX_VALUE;
        int size = 0;
        for (int round = 0; round < 30; round++) {
            long t = System.nanoTime();
            byte[] b = codec.equals("fory") ? fory.serialize(big) : jdkEncode(big, null);
            Object o = codec.equals("fory") ? fory.deserialize(b) : jdkDecode(b, null);
            ((Batch) o).size();
            best = Math.min(best, System.nanoTime() - t);
            size = b.length;
        }
        System.out.printf(
                Locale.ROOT,
                "%s: first batch of 100 tasks in a fresh JVM %.1f ms; warm %.0f ns/task "
                        + "(encode + decode, 20000-task batch of %d bytes)%n",
                codec,
                first / 1e6,
                best / 20_000.0,
                size);
    }
}
