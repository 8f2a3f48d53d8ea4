package io.joblib4j.internal.process;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Starts JVMs on this machine that run joblib4j's classes and the application's: the worker JVMs of the process
 * backend and the children of {@code JvmProcess}. One command line for both: this JVM's own {@code java}, the
 * options every child gets, the caller's options, then the class path (or module path) and the main class.
 */
public final class JvmLauncher {
    private JvmLauncher() {}

    /** The parent's own {@code java} launcher, so children run the same JDK. */
    public static String javaCommand() {
        String own = ProcessHandle.current().info().command().orElse("");
        if (!own.isEmpty()
                && Path.of(own).getFileName().toString().equals("java")
                && Files.isExecutable(Path.of(own))) {
            return own;
        }
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * The command starting {@code mainClass} (a class of joblib4j) with {@code args}: the native-access and
     * {@code --add-opens} options that joblib4j's libraries need, exit on out-of-memory, the serial collector unless
     * {@code jvmOptions} names a collector, then {@code jvmOptions}, the system property {@code marker=true}, the
     * class path or module path of {@code cp}, the main class and the arguments.
     */
    public static List<String> command(
            WorkerClassPath cp, List<String> jvmOptions, String marker, Class<?> mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand());
        cmd.add("--enable-native-access=" + cp.nativeAccess()); // zstd-jni and lz4 load native code
        // Apache Fory (dump/load in tasks) reaches MethodHandles.Lookup through this instead of sun.misc.Unsafe
        cmd.add("--add-opens=java.base/java.lang.invoke=" + cp.foryModule());
        cmd.add("--sun-misc-unsafe-memory-access=allow"); // libraries that tasks use
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.add("-XX:-UsePerfData");
        if (jvmOptions.stream().noneMatch(o -> o.startsWith("-XX:+Use") && o.endsWith("GC"))) {
            cmd.add("-XX:+UseSerialGC");
        }
        cmd.addAll(jvmOptions);
        cmd.add("-D" + marker + "=true");
        cmd.addAll(cp.options());
        cmd.addAll(cp.main(mainClass));
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Copies what a child writes to {@code from} into the stream {@code to} supplies at the time of each write (so a
     * {@code System.setOut} made later is followed), in a daemon thread that ends with the stream; also keeps the end
     * of it in {@code tail} when not null.
     */
    public static Thread forward(
            InputStream from, Supplier<PrintStream> to, String threadName, @Nullable OutputTail tail) {
        Thread t = new Thread(
                () -> {
                    byte[] buf = new byte[8192];
                    try (InputStream in = new BufferedInputStream(from)) {
                        int n;
                        while ((n = in.read(buf)) > 0) {
                            PrintStream target = to.get();
                            target.write(buf, 0, n);
                            target.flush();
                            if (tail != null) {
                                tail.add(buf, n);
                            }
                        }
                    } catch (IOException e) {
                        // the child is gone
                    }
                },
                threadName);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** The last bytes written to a stream, up to a limit. */
    public static final class OutputTail {
        private final byte[] bytes;
        private int length;

        public OutputTail(int capacity) {
            bytes = new byte[capacity];
        }

        synchronized void add(byte[] buf, int n) {
            int keep = Math.min(length, bytes.length - Math.min(n, bytes.length));
            System.arraycopy(bytes, length - keep, bytes, 0, keep);
            int take = Math.min(n, bytes.length);
            System.arraycopy(buf, n - take, bytes, keep, take);
            length = keep + take;
        }

        /** What the tail holds, as UTF-8 text without leading and trailing blanks. */
        public synchronized String text() {
            return new String(bytes, 0, length, StandardCharsets.UTF_8).strip();
        }
    }
}
