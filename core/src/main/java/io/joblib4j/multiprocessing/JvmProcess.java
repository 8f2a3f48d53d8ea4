package io.joblib4j.multiprocessing;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.internal.process.ChildMain;
import io.joblib4j.internal.process.ClassDataArchive;
import io.joblib4j.internal.process.Codec;
import io.joblib4j.internal.process.JvmLauncher;
import io.joblib4j.internal.process.WorkerClassPath;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.NotSerializableException;
import java.io.OutputStream;
import java.io.Serial;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * A task run in a JVM of its own: Python's {@code multiprocessing.Process}, shaped like {@link Thread}.
 *
 * <pre>{@code
 * JvmProcess p = new JvmProcess(() -> System.out.println("say hi"));
 * p.start();
 * p.join();
 * p.exitCode();   // 0
 * }</pre>
 *
 * <p>Give a {@link SerializableRunnable} target, or subclass and override {@link #run()} (the subclass is
 * serializable: its fields travel to the child, as Python pickles a {@code Process} subclass under the spawn start
 * method). The child is a fresh JVM (Python's {@code spawn}): it runs this JVM's {@code java} with the application's
 * class path (or module path), as the process backend's workers do, plus the {@linkplain Builder#jvmOptions JVM
 * options} and {@linkplain Builder#environment environment} given here; nothing is inherited but what the target
 * holds. Shared objects ({@link ProcessQueue}, {@link Pipe} ends, {@link ProcessLock}, {@link SharedLong}, ...)
 * captured by the target connect back to their owner.
 *
 * <ul>
 *   <li><b>Output.</b> The child's stdout and stderr are copied to this JVM's {@code System.out} and
 *       {@code System.err} as they come; {@link #join()} returns once all of it has been copied. The child's stdin
 *       is not available to the target (it is the pipe that tells the child its parent is alive).
 *   <li><b>Exit codes</b> ({@link #exitCode()}), as Python reports them: {@code null} while running, 0 when
 *       {@code run()} returned, 1 when it threw (its stack trace is printed on the child's stderr, so on this JVM's),
 *       {@code n} for {@code System.exit(n)}, {@code -N} when killed by signal N ({@link #terminate()}: -15,
 *       {@link #kill()}: -9). The child exits when {@code run()} returns, even if it started other threads.
 *   <li><b>Lifetime.</b> A child never outlives this JVM: it halts as soon as its parent is gone, however the
 *       parent died. A non-daemon child (the default, as for Python's {@code Process}) keeps this JVM running until
 *       it ends, as a non-daemon {@link Thread} does; a {@linkplain Builder#daemon daemon} child does not, and is
 *       stopped when this JVM exits.
 * </ul>
 *
 * <p>A {@code JvmProcess} starts once. Its methods may be called from any thread.
 */
public class JvmProcess implements Runnable, Serializable {
    @Serial
    private static final long serialVersionUID = 1L;

    private static final AtomicInteger COUNT = new AtomicInteger();
    private static volatile @Nullable WorkerClassPath classPath;

    private final @Nullable SerializableRunnable target;
    private final String name;
    private transient List<String> jvmOptions = List.of();
    private transient Map<String, String> environment = Map.of();
    private transient boolean daemon;

    private transient @Nullable Process process;
    private transient @Nullable Thread waiter;
    private transient @Nullable Thread stdoutPump;
    private transient @Nullable Thread stderrPump;

    /** A process that runs {@code target}, named {@code JvmProcess-N}. */
    public JvmProcess(SerializableRunnable target) {
        this(null, Objects.requireNonNull(target, "target"));
    }

    /** A process named {@code name} that runs {@code target}. */
    public JvmProcess(@Nullable String name, SerializableRunnable target) {
        this.target = Objects.requireNonNull(target, "target");
        this.name = name == null ? defaultName() : name;
    }

    /** For a subclass that overrides {@link #run()}: a process named {@code JvmProcess-N}. */
    protected JvmProcess() {
        this.target = null;
        this.name = defaultName();
    }

    /** For a subclass that overrides {@link #run()}: a process named {@code name}. */
    protected JvmProcess(String name) {
        this.target = null;
        this.name = Objects.requireNonNull(name, "name");
    }

    private static String defaultName() {
        return "JvmProcess-" + COUNT.incrementAndGet();
    }

    /** A builder for a process running {@code target} with a name, JVM options, environment or daemon flag. */
    public static Builder builder(SerializableRunnable target) {
        return new Builder(Objects.requireNonNull(target, "target"));
    }

    /**
     * What the child runs: the target, unless a subclass overrides this. Called in the child JVM, never in this one
     * by {@link #start()}.
     */
    @Override
    public void run() {
        if (target != null) {
            target.run();
        }
    }

    /** The name, {@code JvmProcess-N} unless one was given. */
    public final String name() {
        return name;
    }

    /** True for a daemon process: it does not keep this JVM running. */
    public final synchronized boolean isDaemon() {
        return daemon;
    }

    /**
     * Makes this process a daemon (it does not keep this JVM running, and stops when this JVM exits) or not.
     *
     * @throws IllegalStateException once started
     */
    public final synchronized void setDaemon(boolean daemon) {
        checkNotStarted();
        this.daemon = daemon;
    }

    /**
     * Sets the options of the child's {@code java} command (such as {@code -Xmx512m}), before its class path.
     *
     * @throws IllegalStateException once started
     */
    public final synchronized void setJvmOptions(List<String> options) {
        checkNotStarted();
        this.jvmOptions = List.copyOf(options);
    }

    /**
     * Adds variables to (or replaces them in) the environment the child inherits from this JVM.
     *
     * @throws IllegalStateException once started
     */
    public final synchronized void setEnvironment(Map<String, String> environment) {
        checkNotStarted();
        this.environment = Map.copyOf(environment);
    }

    private void checkNotStarted() {
        if (process != null) {
            throw new IllegalStateException(name + " has already been started");
        }
    }

    /**
     * Starts the child JVM and returns without waiting for it to be up.
     *
     * @throws IllegalStateException    if this process was started before
     * @throws IllegalArgumentException if the target (or this subclass) cannot be serialized
     * @throws UncheckedIOException     if no JVM can be started
     */
    public final synchronized void start() {
        if (process != null) {
            throw new IllegalStateException(name + " was already started (pid " + process.pid()
                    + "); a JvmProcess starts once, as a Thread does");
        }
        byte[] bytes;
        try {
            bytes = Codec.encode(this, null);
        } catch (NotSerializableException e) {
            throw new IllegalArgumentException(
                    name + ": the target cannot be sent to the child JVM: " + e.getMessage() + " is not serializable."
                            + " Capture only serializable values in the target (or in the fields of a JvmProcess"
                            + " subclass), or mark the field transient",
                    e);
        } catch (IOException e) {
            throw new IllegalArgumentException(name + ": the target cannot be serialized: " + e, e);
        }
        WorkerClassPath cp = classPath();
        List<String> options = new ArrayList<>(jvmOptions);
        // the per-user AOT cache of the classes a child loads (the first child records it), as pool workers have
        options.addAll(ClassDataArchive.options(ChildMain.class, jvmOptions, cp.options()));
        List<String> command = JvmLauncher.command(
                cp,
                options,
                "joblib4j.child",
                ChildMain.class,
                List.of(Long.toString(ProcessHandle.current().pid()), name));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(environment);
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p;
        try {
            p = pb.start();
            ClassDataArchive.started(command, p, ChildMain.class);
        } catch (IOException e) {
            ClassDataArchive.notStarted(command);
            throw new UncheckedIOException(name + ": cannot start a JVM with " + command.getFirst() + ": " + e, e);
        }
        process = p;
        String tag = name + "-" + p.pid();
        stdoutPump = JvmLauncher.forward(p.getInputStream(), () -> System.out, tag + "-stdout", null);
        stderrPump = JvmLauncher.forward(p.getErrorStream(), () -> System.err, tag + "-stderr", null);
        Thread w = new Thread(() -> feedAndWait(p, bytes), "joblib4j-" + tag);
        w.setDaemon(daemon);
        waiter = w;
        w.start();
    }

    private static WorkerClassPath classPath() {
        WorkerClassPath cp = classPath;
        if (cp == null) {
            cp = WorkerClassPath.resolve(null, Thread.currentThread().getContextClassLoader());
            classPath = cp;
        }
        return cp;
    }

    /** In the waiter thread: sends the target, waits for the end, then for the output to be copied. */
    private void feedAndWait(Process p, byte[] bytes) {
        OutputStream stdin = p.getOutputStream();
        try {
            DataOutputStream out = new DataOutputStream(stdin);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            // the child died before reading it: its exit code says why
        }
        boolean interrupted = false;
        while (true) {
            try {
                p.waitFor();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        try {
            stdin.close();
        } catch (IOException e) {
            // gone with the child
        }
        for (Thread pump : new Thread[] {stdoutPump, stderrPump}) {
            try {
                pump.join(10_000); // the child's own children could hold its output open: do not wait for ever
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized @Nullable Thread waiter() {
        return waiter;
    }

    /**
     * The child's process id, or null before {@link #start()}.
     */
    public final synchronized @Nullable Long pid() {
        return process == null ? null : process.pid();
    }

    /**
     * Waits until the child has ended and its output has been copied.
     *
     * @throws IllegalStateException if not started
     */
    public final void join() throws InterruptedException {
        Thread w = started();
        w.join();
    }

    /**
     * Waits up to {@code timeout} for the child to end; true if it ended (and its output has been copied).
     *
     * @throws IllegalStateException if not started
     */
    public final boolean join(Duration timeout) throws InterruptedException {
        Thread w = started();
        long millis = Math.max(0, timeout.toMillis());
        if (millis == 0) {
            return !w.isAlive();
        }
        w.join(millis);
        return !w.isAlive();
    }

    private Thread started() {
        Thread w = waiter();
        if (w == null) {
            throw new IllegalStateException(name + " has not been started");
        }
        return w;
    }

    /** True from {@link #start()} until the child has ended. */
    public final synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /**
     * How the child ended, with Python's conventions: null while it runs (or before it starts), 0 when {@code run()}
     * returned, 1 when it threw, {@code n} for {@code System.exit(n)}, {@code -N} when killed by signal N.
     */
    public final synchronized @Nullable Integer exitCode() {
        if (process == null || process.isAlive()) {
            return null;
        }
        int v = process.exitValue();
        return v > 128 && v < 128 + 32 ? -(v - 128) : v;
    }

    /** Asks the child to stop (SIGTERM: it runs its shutdown hooks); its exit code becomes -15. */
    public final void terminate() {
        Process p = startedProcess();
        p.destroy();
    }

    /** Kills the child at once (SIGKILL); its exit code becomes -9. */
    public final void kill() {
        Process p = startedProcess();
        p.destroyForcibly();
    }

    private synchronized Process startedProcess() {
        if (process == null) {
            throw new IllegalStateException(name + " has not been started");
        }
        return process;
    }

    /**
     * Releases what this object holds for the child (after it ended, nothing is left but this object).
     *
     * @throws IllegalStateException if the child is still running: join, terminate or kill it first (as Python's
     *                               {@code close()} refuses a running process)
     */
    public final void close() {
        if (isAlive()) {
            throw new IllegalStateException(
                    name + " (pid " + pid() + ") is still running; join, terminate or kill" + " it before closing it");
        }
    }

    /** Waits up to {@code timeout} in {@code unit} for the child; see {@link #join(Duration)}. */
    public final boolean join(long timeout, TimeUnit unit) throws InterruptedException {
        return join(Duration.ofNanos(unit.toNanos(timeout)));
    }

    @Override
    public String toString() {
        Integer code = exitCode();
        Long pid = pid();
        String state = pid == null ? "initial" : code == null ? "started" : "stopped exitcode=" + code;
        return "<JvmProcess name='" + name + "'" + (pid == null ? "" : " pid=" + pid) + " " + state
                + (isDaemon() ? " daemon" : "") + ">";
    }

    /** Builds a {@link JvmProcess} with a name, JVM options, environment variables or the daemon flag. */
    public static final class Builder {
        private final SerializableRunnable target;
        private @Nullable String name;
        private final List<String> jvmOptions = new ArrayList<>();
        private final Map<String, String> environment = new LinkedHashMap<>();
        private boolean daemon;

        private Builder(SerializableRunnable target) {
            this.target = target;
        }

        /** The process's name (default {@code JvmProcess-N}). */
        public Builder name(String name) {
            this.name = Objects.requireNonNull(name, "name");
            return this;
        }

        /** Options of the child's {@code java} command, such as {@code -Xmx256m}; added to those given before. */
        public Builder jvmOptions(String... options) {
            for (String o : options) {
                jvmOptions.add(Objects.requireNonNull(o, "option"));
            }
            return this;
        }

        /** A variable added to (or replacing one of) the environment the child inherits. */
        public Builder environment(String variable, String value) {
            environment.put(Objects.requireNonNull(variable, "variable"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** A daemon process does not keep this JVM running and stops when it exits (default false). */
        public Builder daemon(boolean daemon) {
            this.daemon = daemon;
            return this;
        }

        public JvmProcess build() {
            JvmProcess p = new JvmProcess(name, target);
            p.jvmOptions = List.copyOf(jvmOptions);
            p.environment = Map.copyOf(environment);
            p.daemon = daemon;
            return p;
        }
    }
}
