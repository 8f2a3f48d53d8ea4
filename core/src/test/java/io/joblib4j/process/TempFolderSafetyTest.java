package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.joblib4j.internal.TempFolders;
import io.joblib4j.internal.process.ChildJvms;
import io.joblib4j.parallel.Parallel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.NotSerializableException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The temp folders of the process backend: what is collected, what never is, and how their end is handled. */
class TempFolderSafetyTest {

    static long deadPid() throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        return dead.pid();
    }

    static Path ownerOnlyDir(Path p) throws IOException {
        return Files.createDirectories(
                p, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    }

    @Test
    void collectLeftovers_racedBySymlinkSwaps_neverDeletesOutsideTheLeftover(@TempDir Path root) throws Exception {
        Path base = Files.createDirectories(root.resolve("base"));
        Path victim = Files.createDirectories(root.resolve("victim"));
        for (int i = 0; i < 50; i++) {
            Files.writeString(victim.resolve("precious-" + i), "keep me");
        }
        long dead = deadPid();
        Path leftover = base.resolve("joblib4j-" + dead + "-call-attack");
        AttackResult r =
                symlinkAttack(victim, leftover, () -> TempFolders.collectLeftovers(base), TimeUnit.SECONDS.toNanos(5));
        try (Stream<Path> s = Files.list(victim)) {
            assertThat(s.count())
                    .as("victim files left after " + r.rounds + " collections raced by symlink swaps")
                    .isEqualTo(50);
        }
        assertThat(r.collected).as("the leftover was collected in some rounds").isPositive();
    }

    record AttackResult(int rounds, int collected) {}

    /**
     * Plants {@code leftover} (0700, a dead owner) again and again and runs {@code collect} on its base while a thread
     * swaps its sub-folder {@code sub} (a real folder with files) for a link to {@code victim} and back.
     */
    static AttackResult symlinkAttack(Path victim, Path leftover, java.util.function.IntSupplier collect, long nanos)
            throws Exception {
        java.util.concurrent.atomic.AtomicInteger phase =
                new java.util.concurrent.atomic.AtomicInteger(); // 1 swap, 2 end
        AtomicBoolean swapping = new AtomicBoolean();
        Path sub = leftover.resolve("sub");
        Path link = leftover.resolve("sub.link");
        Path real = leftover.resolve("sub.real");
        Thread racer = new Thread(
                () -> {
                    while (phase.get() != 2) {
                        if (phase.get() != 1) {
                            swapping.set(false);
                            Thread.onSpinWait();
                            continue;
                        }
                        swapping.set(true);
                        try {
                            Files.move(real, sub, StandardCopyOption.ATOMIC_MOVE); // sub: a real folder with files
                            Files.move(sub, real, StandardCopyOption.ATOMIC_MOVE);
                            Files.move(link, sub, StandardCopyOption.ATOMIC_MOVE); // sub: a link to the victim
                            Files.move(sub, link, StandardCopyOption.ATOMIC_MOVE);
                        } catch (IOException | RuntimeException e) {
                            // the collector removed something first
                        }
                    }
                    swapping.set(false);
                },
                "symlink-racer");
        int collected = 0;
        int rounds = 0;
        long deadline = System.nanoTime() + nanos;
        racer.start();
        try {
            while (System.nanoTime() < deadline) {
                try {
                    ownerOnlyDir(leftover);
                    Files.createDirectories(real);
                    for (int i = 0; i < 3; i++) {
                        Files.writeString(real.resolve("precious-" + i), "x");
                    }
                    if (Files.notExists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, victim);
                    }
                } catch (IOException e) {
                    continue;
                }
                phase.set(1);
                while (!swapping.get()) {
                    Thread.onSpinWait();
                }
                collected += collect.getAsInt();
                phase.set(0);
                while (swapping.get()) {
                    Thread.onSpinWait();
                }
                rounds++;
            }
        } finally {
            phase.set(2);
            racer.join(10_000);
        }
        return new AttackResult(rounds, collected);
    }

    @Test
    void collectLeftovers_skipsFoldersOpenToOthersAndLinks_collectsOwnerOnlyOnes(@TempDir Path base) throws Exception {
        long dead = deadPid();
        Path ownerOnly = ownerOnlyDir(base.resolve("joblib4j-" + dead + "-call-a"));
        Files.writeString(ownerOnly.resolve("array-0.bin"), "x");
        Path open = Files.createDirectories(
                base.resolve("joblib4j-" + dead + "-call-b"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path target = ownerOnlyDir(base.resolve("not-ours"));
        Files.writeString(target.resolve("keep"), "x");
        Path link = Files.createSymbolicLink(base.resolve("joblib4j-" + dead + "-call-c"), target);

        assertThat(TempFolders.collectLeftovers(base)).isEqualTo(1);

        assertThat(ownerOnly).doesNotExist();
        assertThat(open).exists();
        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(target.resolve("keep")).exists();
    }

    @Test
    void create_makesOwnerOnlyFolders(@TempDir Path base) throws Exception {
        Path dir = TempFolders.create(base, "call");
        try {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .isEqualTo("rwx------");
        } finally {
            TempFolders.delete(dir);
        }
    }

    @Test
    void delete_doesNotFollowALinkInsideTheFolder(@TempDir Path root) throws Exception {
        Path victim = Files.createDirectories(root.resolve("victim"));
        Files.writeString(victim.resolve("keep"), "x");
        Path dir = TempFolders.create(root, "call");
        Files.createSymbolicLink(dir.resolve("link"), victim);
        TempFolders.delete(dir);
        assertThat(dir).doesNotExist();
        assertThat(victim.resolve("keep")).exists();
    }

    @Test
    void sigtermOrSigint_removesThePoolsFolder() throws Exception {
        for (String signal : List.of("TERM", "INT")) {
            ProcessBuilder pb = new ProcessBuilder(ChildJvms.command(OrphanParent.class));
            pb.redirectErrorStream(true);
            Process parent = pb.start();
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                do {
                    line = out.readLine();
                } while (line != null && !line.startsWith("WORKER "));
                assertThat(line).as("the parent JVM printed its worker's pid").isNotNull();
                Path base = TempFolders.defaultBase();
                assertThat(folders(base, parent.pid()))
                        .as("the pool's folder while it runs")
                        .isNotEmpty();
                new ProcessBuilder("kill", "-" + signal, Long.toString(parent.pid()))
                        .start()
                        .waitFor();
                assertThat(parent.waitFor(30, TimeUnit.SECONDS)).isTrue();
                assertThat(folders(base, parent.pid()))
                        .as("folders left after SIG" + signal)
                        .isEmpty();
            } finally {
                parent.destroyForcibly();
            }
        }
    }

    @Test
    void fullTempFolder_isReportedAsSuch_notAsASerializationProblem(@TempDir Path root) throws Exception {
        Path small = Files.createDirectories(root.resolve("small"));
        Process mount = new ProcessBuilder(
                        "mount", "-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", small.toString())
                .redirectErrorStream(true)
                .start();
        boolean mounted = mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0;
        Assumptions.assumeTrue(mounted, "needs to mount a small tmpfs (root)");
        try {
            double[] big = new double[100_000]; // 800 kB: more than the 256 kB file system holds
            try (ProcessPool own = ProcessPool.builder().workers(1).build();
                    Parallel p = Parallel.builder()
                            .nJobs(1)
                            .backend(own.backend())
                            .tempFolder(small)
                            .maxNbytes("1K")
                            .build()) {
                Throwable t = catchThrowable(() -> p.map(WorkerLifecycleTest::sumOf, List.of(big)));
                assertThat(t).isNotNull().isNotInstanceOf(NotSerializableException.class);
                Throwable root0 = t;
                StringBuilder all = new StringBuilder();
                for (Throwable c = t; c != null; c = c.getCause()) {
                    all.append(c).append('\n');
                    root0 = c;
                }
                assertThat(all.toString())
                        .contains(small.toString())
                        .contains("No space left on device")
                        .doesNotContain("cannot be serialized");
                assertThat(root0).isInstanceOf(IOException.class);
                try (Stream<Path> left = Files.list(small)) {
                    assertThat(left.toList())
                            .as("the call's folder, removed when the call ended")
                            .isEmpty();
                }
            }
        } finally {
            new ProcessBuilder("umount", "-l", small.toString()).start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    static List<Path> folders(Path base, long pid) throws IOException {
        try (Stream<Path> s = Files.list(base)) {
            return s.filter(p -> p.getFileName().toString().startsWith("joblib4j-" + pid + "-"))
                    .toList();
        }
    }
}
