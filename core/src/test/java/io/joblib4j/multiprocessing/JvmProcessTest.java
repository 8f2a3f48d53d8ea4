package io.joblib4j.multiprocessing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@link JvmProcess}: real child JVMs, their output, exit codes, timeouts and kills. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class JvmProcessTest {
    private final List<JvmProcess> started = new ArrayList<>();

    JvmProcess track(JvmProcess p) {
        started.add(p);
        return p;
    }

    @AfterEach
    void nothingLeft() throws InterruptedException {
        for (JvmProcess p : started) {
            if (p.pid() != null && p.isAlive()) {
                p.kill();
            }
            if (p.pid() != null) {
                assertThat(p.join(Duration.ofSeconds(30))).as("%s ended", p).isTrue();
                assertThat(ProcessHandle.of(p.pid()).map(ProcessHandle::isAlive).orElse(false))
                        .isFalse();
            }
        }
    }

    /** Copies System.out into a buffer while {@code body} runs. */
    static String capturingStdout(ThrowingRunnable body) throws Exception {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(
                new OutputStream() {
                    @Override
                    public synchronized void write(int b) {
                        buf.write(b);
                        old.write(b);
                    }

                    @Override
                    public synchronized void write(byte[] b, int off, int len) {
                        buf.write(b, off, len);
                        old.write(b, off, len);
                    }
                },
                true,
                StandardCharsets.UTF_8);
        System.setOut(tee);
        try {
            body.run();
        } finally {
            System.setOut(old);
        }
        synchronized (tee) {
            return buf.toString(StandardCharsets.UTF_8);
        }
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void tenProcesses_eachSaysHi_outputForwarded() throws Exception {
        List<JvmProcess> ps = new ArrayList<>();
        String out = capturingStdout(() -> {
            for (int i = 0; i < 10; i++) {
                int k = i;
                ps.add(track(new JvmProcess(() -> System.out.println(
                        "say hi " + k + " from " + ProcessHandle.current().pid()))));
            }
            ps.forEach(JvmProcess::start);
            for (JvmProcess p : ps) {
                p.join();
            }
        });
        Set<String> pids = new HashSet<>();
        Set<String> his = new HashSet<>();
        for (String line : out.split("\n", -1)) {
            if (line.startsWith("say hi ")) {
                String[] parts = line.trim().split(" ", -1);
                his.add(parts[2]);
                pids.add(parts[4]);
            }
        }
        assertThat(his).hasSize(10);
        assertThat(pids)
                .hasSize(10)
                .doesNotContain(Long.toString(ProcessHandle.current().pid()));
        for (JvmProcess p : ps) {
            assertThat(p.exitCode()).isZero();
            assertThat(pids).contains(Long.toString(p.pid()));
        }
    }

    /** The subclass form: fields travel to the child, run() is overridden. */
    static final class Greeter extends JvmProcess {
        private final int k;

        Greeter(int k) {
            super("greeter-" + k);
            this.k = k;
        }

        @Override
        public void run() {
            System.out.println(name() + " says " + (k * 10));
        }
    }

    @Test
    void subclass_runsItsOwnRunWithItsFields() throws Exception {
        Greeter g = (Greeter) track(new Greeter(4));
        String out = capturingStdout(() -> {
            g.start();
            g.join();
        });
        assertThat(out).contains("greeter-4 says 40");
        assertThat(g.exitCode()).isZero();
        assertThat(g.name()).isEqualTo("greeter-4");
    }

    @Test
    void exitCodes_followPython() throws Exception {
        JvmProcess ok = track(new JvmProcess(() -> {}));
        JvmProcess threw = track(new JvmProcess("thrower", () -> {
            throw new IllegalStateException("boom in the child");
        }));
        JvmProcess exit3 = track(new JvmProcess(() -> System.exit(3)));
        JvmProcess sleeper = track(JvmProcess.builder(JvmProcessTest::sleepLong)
                .name("sleeper")
                .daemon(true)
                .build());
        JvmProcess sleeper2 = track(new JvmProcess(JvmProcessTest::sleepLong));
        assertThat(ok.pid()).isNull();
        assertThat(ok.exitCode()).isNull();
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            for (JvmProcess p : List.of(ok, threw, exit3, sleeper, sleeper2)) {
                p.start();
            }
            ok.join();
            threw.join();
            exit3.join();
        } finally {
            System.setErr(oldErr);
        }
        assertThat(ok.exitCode()).isEqualTo(0);
        assertThat(threw.exitCode()).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("IllegalStateException: boom in the child")
                .contains("thrower");
        assertThat(exit3.exitCode()).isEqualTo(3);

        // join(Duration) runs out while the child sleeps
        assertThat(sleeper.join(Duration.ofMillis(300))).isFalse();
        assertThat(sleeper.isAlive()).isTrue();
        assertThat(sleeper.exitCode()).isNull();
        assertThatThrownBy(sleeper::close).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(sleeper::start).isInstanceOf(IllegalStateException.class);

        sleeper.terminate();
        sleeper2.kill();
        assertThat(sleeper.join(Duration.ofSeconds(30))).isTrue();
        assertThat(sleeper2.join(Duration.ofSeconds(30))).isTrue();
        assertThat(sleeper.exitCode()).isEqualTo(-15);
        assertThat(sleeper2.exitCode()).isEqualTo(-9);
        sleeper.close();
        assertThat(sleeper.toString()).contains("sleeper").contains("exitcode=-15");
    }

    @Test
    void childEndsAfterRun_withItsShutdownHooks_evenWhenItStartedANonDaemonThread(@TempDir Path dir) throws Exception {
        String plain = dir.resolve("plain").toString();
        String busy = dir.resolve("busy").toString();
        JvmProcess p = track(new JvmProcess(() -> markAtExit(plain)));
        JvmProcess q = track(new JvmProcess(() -> {
            markAtExit(busy);
            Thread t = new Thread(JvmProcessTest::sleepLong, "left-running");
            t.setDaemon(false);
            t.start();
        }));
        p.start();
        q.start();
        assertThat(p.join(Duration.ofSeconds(60))).isTrue();
        assertThat(q.join(Duration.ofSeconds(60)))
                .as("a non-daemon thread does not keep the child")
                .isTrue();
        assertThat(p.exitCode()).isZero();
        assertThat(q.exitCode()).isZero();
        assertThat(Path.of(plain)).as("shutdown hook ran").exists();
        assertThat(Path.of(busy)).as("shutdown hook ran").exists();
    }

    static void markAtExit(String file) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                Files.writeString(Path.of(file), "hook");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }));
    }

    @Test
    void notSerializableTarget_failsAtStartWithAFix() {
        Object notSerializable = new Object();
        JvmProcess p = new JvmProcess(() -> System.out.println(notSerializable));
        assertThatThrownBy(p::start)
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("java.lang.Object")
                .hasMessageContaining("serializable");
        assertThat(p.pid()).isNull();
    }

    @Test
    void childOfAKilledParent_exits() throws Exception {
        // a child JVM that starts a grandchild sleeping for ever, prints its pid, then sleeps itself
        JvmProcess parent = track(new JvmProcess(() -> {
            JvmProcess grandchild = new JvmProcess(JvmProcessTest::sleepLong);
            grandchild.start();
            System.out.println("grandchild " + grandchild.pid());
            sleepLong();
        }));
        parent.start();
        long grandchild = waitForGrandchild(parent);
        parent.kill();
        parent.join();
        ProcessHandle h = ProcessHandle.of(grandchild).orElse(null);
        if (h != null) {
            assertThat(h.onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();
        }
    }

    private static long waitForGrandchild(JvmProcess parent) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            ProcessHandle h = ProcessHandle.of(parent.pid()).orElseThrow();
            var kids = h.children().toList();
            if (!kids.isEmpty()) {
                return kids.getFirst().pid();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no grandchild started within 60 s");
    }

    @Test
    void repeatedStarts_leaveNoFileDescriptors() throws Exception {
        JvmProcess warm = track(new JvmProcess(() -> {}));
        warm.start();
        warm.join();
        long before = openFds();
        for (int i = 0; i < 4; i++) {
            JvmProcess p = track(new JvmProcess(() -> {}));
            p.start();
            p.join();
        }
        System.gc();
        assertThat(openFds()).isLessThanOrEqualTo(before + 2);
    }

    static long openFds() throws IOException {
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    static void sleepLong() {
        try {
            Thread.sleep(600_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
