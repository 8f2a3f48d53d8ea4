package io.joblib4j.process;

import io.joblib4j.internal.NativeLibraries;
import io.joblib4j.internal.TempFolders;
import io.joblib4j.internal.process.ClassDataArchive;
import io.joblib4j.internal.process.JvmLauncher;
import io.joblib4j.internal.process.Protocol;
import io.joblib4j.internal.process.WorkerClassPath;
import io.joblib4j.internal.process.WorkerMain;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * A set of worker JVMs shared by the calls made on it: idle workers wait in the pool (and exit after the idle
 * timeout), calls lease them through {@link CallWorkers}, new ones are started on demand. Workers connect back to a
 * Unix domain socket in the pool's private (0700) folder.
 */
final class WorkerPool {
    /** Timers (task timeouts, idle reaping). */
    static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "joblib4j-process-timer");
        t.setDaemon(true);
        return t;
    });
    /** Runs exit notifications, which may block briefly while the last frames are read. */
    static final ExecutorService EVENTS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "joblib4j-process-events");
        t.setDaemon(true);
        return t;
    });

    private static final AtomicLong TOKENS = new AtomicLong(System.nanoTime() & 0xffffffffL);

    private final PoolConfig config;
    private final Map<Long, WorkerHandle> connecting = new ConcurrentHashMap<>();
    private final Deque<WorkerHandle> idle = new ArrayDeque<>();
    private final Set<WorkerHandle> all = ConcurrentHashMap.newKeySet();
    private @Nullable Path dir;
    /** The captured graphs published for this pool's workers across calls. */
    private final PublishedGraphs published = new PublishedGraphs();

    private @Nullable Path socket;
    private @Nullable ServerSocketChannel server;
    private @Nullable ScheduledFuture<?> reaper;
    /**
     * The cached native codec libraries handed to workers ({@link NativeLibraries#forWorkers()}), looked up once per
     * JVM in the background from the first pool's creation on. Workers started before it is known (the first
     * ~100 ms) unpack the libraries as the libraries do by default; spawning never waits for it.
     */
    private static volatile java.util.concurrent.@Nullable CompletableFuture<String> nativeLibs;
    /** Stops the workers and removes the folder when this JVM exits (Ctrl-C, SIGTERM, System.exit). */
    private volatile @Nullable Thread exitHook;

    private boolean shut;
    private @Nullable WorkerClassPath classPath;

    WorkerPool(PoolConfig config) {
        this.config = config;
        findNativeLibs();
    }

    /** Starts looking for the cached native libraries for workers, once per JVM (the first pool does). */
    private static void findNativeLibs() {
        if (nativeLibs == null) {
            synchronized (WorkerPool.class) {
                if (nativeLibs == null) {
                    nativeLibs = java.util.concurrent.CompletableFuture.supplyAsync(NativeLibraries::forWorkers, EVENTS)
                            .exceptionally(e -> "");
                }
            }
        }
    }

    /** True once the cached native libraries for workers are known (or known to be unavailable). */
    static boolean nativeLibsKnown() {
        java.util.concurrent.CompletableFuture<String> f = nativeLibs;
        return f != null && f.isDone();
    }

    PoolConfig config() {
        return config;
    }

    /** The workers alive now, idle or leased. */
    int workerCount() {
        return all.size();
    }

    /** The process ids of the workers alive now. */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (WorkerHandle h : all) {
            pids.add(h.pid());
        }
        return pids;
    }

    /**
     * A worker for {@code owner}: an idle one if there is one (it may be ready at once), else a new one that reports
     * {@link WorkerHandle.Owner#ready} when it has started.
     */
    synchronized WorkerHandle acquire(WorkerHandle.Owner owner) {
        if (shut) {
            throw new IllegalStateException("this process pool has been shut down");
        }
        start();
        WorkerHandle h;
        while ((h = idle.pollLast()) != null) {
            if (!h.isDead() && !h.isRetiring()) {
                h.owner(owner);
                return h;
            }
        }
        // a worker still starting that its owner gave back (its call ended before it connected) serves this owner:
        // it reports ready to it when it connects (see connected), rather than a further JVM being started
        for (WorkerHandle starting : connecting.values()) {
            if (starting.owner() == null && !starting.isDead() && !starting.isRetiring()) {
                starting.owner(owner);
                return starting;
            }
        }
        return spawn(owner);
    }

    /** Takes back a worker that its owner no longer needs. */
    synchronized void release(WorkerHandle h) {
        h.owner(null);
        if (h.isDead() || h.isRetiring()) {
            return;
        }
        if (shut) {
            h.retire();
            return;
        }
        if (h.isReady()) {
            h.idleSince = System.nanoTime();
            idle.addLast(h);
        }
        // a worker still starting joins the idle set when it connects (connected)
    }

    /**
     * A worker has connected: returns its owner, to be told it is ready (outside this pool's lock), or null if it has
     * none and joined the idle set. Decided under the lock that {@link #acquire} holds when it gives a starting worker
     * an owner, so a worker is either handed out ready from the idle set or announced to its new owner.
     */
    synchronized WorkerHandle.@Nullable Owner connected(WorkerHandle h) {
        WorkerHandle.Owner owner = h.owner();
        if (owner != null) {
            return owner;
        }
        if (shut) {
            h.retire();
        } else if (!idle.contains(h)) {
            h.idleSince = System.nanoTime();
            idle.addLast(h);
        }
        return null;
    }

    /** A worker process ended. */
    synchronized void removed(WorkerHandle h) {
        idle.remove(h);
        all.remove(h);
        connecting.remove(h.token());
    }

    /** Stops every worker at once and removes the pool's folder. Idempotent. */
    void shutdown() {
        List<WorkerHandle> workers;
        Set<WorkerHandle> wasIdle;
        synchronized (this) {
            if (shut) {
                return;
            }
            shut = true;
            workers = new ArrayList<>(all);
            wasIdle = new java.util.HashSet<>(idle);
            idle.clear();
            if (reaper != null) {
                reaper.cancel(false);
            }
        }
        for (WorkerHandle h : workers) {
            if (wasIdle.contains(h) && h.writesClassArchive()) {
                // an idle worker that writes the class-data archive at exit is asked to leave, so that it can;
                // killed anyway if it has not left in 20 s
                h.retire();
                java.util.concurrent.CompletableFuture.delayedExecutor(20, TimeUnit.SECONDS)
                        .execute(h::kill);
            } else {
                h.kill();
            }
        }
        try {
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            // closing anyway
        }
        published.close();
        if (dir != null) {
            TempFolders.delete(dir);
        }
        Thread hook = exitHook;
        if (hook != null && Thread.currentThread() != hook) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is exiting: the hook runs anyway, and finds the pool shut
            }
        }
    }

    /** The captured graphs published for this pool's workers across calls. */
    PublishedGraphs published() {
        return published;
    }

    synchronized boolean isShut() {
        return shut;
    }

    private void start() {
        if (server != null) {
            return;
        }
        try {
            dir = TempFolders.create(null, "pool");
            socket = dir.resolve("channel.sock");
            server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the channel for worker processes in " + dir + ": " + e, e);
        }
        exitHook = new Thread(this::shutdown, "joblib4j-process-pool-exit");
        try {
            Runtime.getRuntime().addShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            exitHook = null; // already exiting
        }
        ServerSocketChannel channel = server;
        Thread acceptor = new Thread(() -> accept(channel), "joblib4j-process-acceptor");
        acceptor.setDaemon(true);
        acceptor.start();
        long period = Math.max(1, Math.min(config.idleTimeout().toMillis() / 4, 10_000));
        reaper = TIMER.scheduleWithFixedDelay(this::reapIdle, period, period, TimeUnit.MILLISECONDS);
    }

    private void accept(ServerSocketChannel server) {
        while (true) {
            SocketChannel ch;
            try {
                ch = server.accept();
            } catch (IOException e) {
                return; // closed by shutdown
            }
            try {
                DataInputStream in = new DataInputStream(new BufferedInputStream(Protocol.input(ch), 1 << 16));
                if (in.readByte() != Protocol.HELLO) {
                    ch.close();
                    continue;
                }
                long token = in.readLong();
                in.readLong(); // the worker's pid, which the parent already knows
                WorkerHandle h = connecting.remove(token);
                if (h == null) {
                    ch.close();
                    continue;
                }
                h.connected(ch, in);
            } catch (IOException | RuntimeException e) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
        }
    }

    private void reapIdle() {
        List<WorkerHandle> expired = new ArrayList<>();
        synchronized (this) {
            long now = System.nanoTime();
            long limit = config.idleTimeout().toNanos();
            idle.removeIf(h -> {
                if (now - h.idleSince >= limit) {
                    expired.add(h);
                    return true;
                }
                return false;
            });
        }
        for (WorkerHandle h : expired) {
            h.retire();
        }
    }

    private WorkerHandle spawn(WorkerHandle.Owner owner) {
        long token = TOKENS.incrementAndGet();
        List<String> command = command(token);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(config.environment());
        String libs =
                Objects.requireNonNull(nativeLibs, "set by the constructor").getNow("");
        if (!libs.isEmpty() && !config.environment().containsKey(NativeLibraries.ENV)) {
            pb.environment().put(NativeLibraries.ENV, libs); // no copy of them left in /tmp when a worker is killed
        }
        pb.redirectInput(ProcessBuilder.Redirect.PIPE);
        Process process;
        try {
            process = pb.start();
            ClassDataArchive.started(command, process, WorkerMain.class);
        } catch (IOException e) {
            ClassDataArchive.notStarted(command);
            throw new UncheckedIOException(
                    "cannot start a worker JVM with " + command.getFirst() + ": " + e.getMessage(), e);
        }
        WorkerHandle h = new WorkerHandle(this, token, process, owner);
        all.add(h);
        connecting.put(token, h);
        return h;
    }

    /** Where workers find their classes; found once, at the first worker's start. */
    synchronized WorkerClassPath classPath() {
        if (classPath == null) {
            classPath = WorkerClassPath.resolve(
                    config.classPath(), Thread.currentThread().getContextClassLoader());
        }
        return classPath;
    }

    List<String> command(long token) {
        WorkerClassPath cp = classPath();
        List<String> jvmOptions = new ArrayList<>(config.jvmOptions());
        // the per-user AOT cache of the classes worker JVMs load, when the class path allows one
        jvmOptions.addAll(ClassDataArchive.options(WorkerMain.class, config.jvmOptions(), cp.options()));
        return JvmLauncher.command(
                cp,
                jvmOptions,
                "joblib4j.worker",
                WorkerMain.class,
                List.of(
                        Objects.requireNonNull(socket, "socket of a started pool")
                                .toString(),
                        Long.toString(token),
                        Long.toString(ProcessHandle.current().pid()),
                        Long.toString(config.heapGrowthLimit())));
    }

    /** The parent's own {@code java} launcher, so workers run the same JDK. */
    static String javaCommand() {
        return JvmLauncher.javaCommand();
    }
}
