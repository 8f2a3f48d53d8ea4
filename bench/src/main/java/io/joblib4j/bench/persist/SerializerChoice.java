package io.joblib4j.bench.persist;

import io.joblib4j.Joblib;
import io.joblib4j.persist.Compression;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Why dumps serialize object graphs with Apache Fory: a list of 200,000 small records dumped and loaded by
 * {@code Joblib.dump/load} (Fory) and by JDK serialization ({@code ObjectOutputStream} with an
 * {@code ObjectInputFilter}-free read), same file system, one run; prints best-of-N times and sizes.
 *
 * <p>Run: {@code bench/run-persist.sh} builds the class path; then
 * {@code java --enable-native-access=ALL-UNNAMED -cp "bench/target/classes:core/target/classes:$(cat
 * bench/target/classpath.txt)" io.joblib4j.bench.persist.SerializerChoice [reps] [dir]}.
 */
public final class SerializerChoice {
    /** A small record like the rows of a result table. */
    public record Row(int id, double score, String label) implements Serializable {}

    private SerializerChoice() {}

    public static void main(String[] args) throws Exception {
        int reps = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("joblib4j-serializer");
        Files.createDirectories(dir);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < 200_000; i++) {
            rows.add(new Row(i, i * 0.5, "row-" + (i % 1000)));
        }
        Path fory = dir.resolve("rows.j4j");
        Path jdk = dir.resolve("rows.ser");
        double foryDump = PersistScenario.best(reps, () -> Joblib.dump(rows, fory, Compression.none()));
        double foryLoad = PersistScenario.best(reps, () -> Joblib.<List<Row>>load(fory));
        double jdkDump = PersistScenario.best(reps, () -> {
            try (ObjectOutputStream out =
                    new ObjectOutputStream(new BufferedOutputStream(Files.newOutputStream(jdk), 1 << 16))) {
                out.writeObject(new ArrayList<>(rows));
            }
        });
        double jdkLoad = PersistScenario.best(reps, () -> {
            try (ObjectInputStream in =
                    new ObjectInputStream(new BufferedInputStream(Files.newInputStream(jdk), 1 << 16))) {
                in.readObject();
            }
        });
        System.out.printf(Locale.ROOT, "200,000 records  %-22s %10s %10s %12s%n", "", "dump", "load", "size");
        System.out.printf(
                Locale.ROOT,
                "                 %-22s %7.1f ms %7.1f ms %,12d B%n",
                "Joblib.dump (Fory)",
                foryDump * 1000,
                foryLoad * 1000,
                Files.size(fory));
        System.out.printf(
                Locale.ROOT,
                "                 %-22s %7.1f ms %7.1f ms %,12d B%n",
                "JDK serialization",
                jdkDump * 1000,
                jdkLoad * 1000,
                Files.size(jdk));
        System.out.printf(
                Locale.ROOT,
                "                 JDK / Fory: dump %.1fx, load %.1fx%n",
                jdkDump / foryDump,
                jdkLoad / foryLoad);
        Files.delete(fory);
        Files.delete(jdk);
    }
}
