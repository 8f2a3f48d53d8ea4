package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.joblib4j.internal.Suppressed;
import io.joblib4j.internal.process.ChildJvms;
import io.joblib4j.internal.process.Protocol;
import io.joblib4j.internal.process.WorkerClassPath;
import io.joblib4j.internal.process.WorkerMain;
import io.joblib4j.parallel.TaskFailure;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker JVM that cannot start says why: the parent's error quotes the worker's stderr, its command line and class
 * path and how to set them; a worker never exits silently before it has been accepted; an exception shared by many
 * failed tasks carries a few of their records, not all.
 */
class WorkerStartFailureTest {

    @Test
    void classPathWithoutJoblib4j_failureQuotesStderrCommandAndClassPath_andSaysHowToSetIt(@TempDir Path empty)
            throws Exception {
        try (ProcessPool pool =
                ProcessPool.builder().workers(1).classPath(empty.toString()).build()) {
            Future<Integer> f = pool.submit(WorkerTasks.times2(1));

            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .cause()
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("exited with EXIT(1) before it connected")
                    .hasMessageContaining("Could not find or load main class " + WorkerMain.class.getName())
                    .hasMessageContaining("It was started as: ")
                    .hasMessageContaining("class path " + empty + " (set with ProcessPool.Builder.classPath)")
                    .hasMessageContaining("ProcessPool.builder().classPath(...)")
                    .hasMessageContaining("-Djoblib4j.worker.classpath=")
                    .hasMessageContaining("JOBLIB4J_WORKER_CLASSPATH");
        }
    }

    @Test
    void systemProperty_setsTheWorkersClassPath(@TempDir Path empty) throws Exception {
        String before = System.getProperty(WorkerClassPath.PROPERTY);
        System.setProperty(WorkerClassPath.PROPERTY, empty.toString());
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            Future<Integer> f = pool.submit(WorkerTasks.times2(1));
            assertThatThrownBy(() -> f.get(60, TimeUnit.SECONDS))
                    .cause()
                    .hasMessageContaining(
                            "class path " + empty + " (from the system property joblib4j.worker.classpath)");
        } finally {
            if (before == null) {
                System.clearProperty(WorkerClassPath.PROPERTY);
            } else {
                System.setProperty(WorkerClassPath.PROPERTY, before);
            }
        }
    }

    @Test
    void builderClassPath_rejectsBlank() {
        assertThatThrownBy(() -> ProcessPool.builder().classPath(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got ' '");
    }

    @Test
    void manyTasksFailedByOneStartFailure_carryFiveTaskRecordsAndACount() throws Exception {
        try (ProcessPool pool = ProcessPool.builder()
                .workers(1)
                .jvmOptions("-XX:+NoSuchJoblib4jTestOption")
                .build()) {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                futures.add(pool.submit(WorkerTasks.times2(i)));
            }
            // Tasks queued when the start fails share its exception; under load, tasks submitted after that may meet
            // a second start failure of their own: each shared exception carries at most KEPT records and a count.
            IdentityHashMap<Throwable, Integer> tasksPerFailure = new IdentityHashMap<>();
            for (Future<Integer> f : futures) {
                try {
                    f.get(60, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    tasksPerFailure.merge(e.getCause(), 1, Integer::sum);
                }
            }
            assertThat(tasksPerFailure.values().stream()
                            .mapToInt(Integer::intValue)
                            .sum())
                    .isEqualTo(40);
            tasksPerFailure.forEach((shared, tasks) -> {
                assertThat(shared).hasMessageContaining("Unrecognized VM option 'NoSuchJoblib4jTestOption'");
                Throwable[] suppressed = shared.getSuppressed();
                long records = Arrays.stream(suppressed)
                        .filter(s -> s instanceof TaskFailure)
                        .count();
                assertThat(records).isEqualTo(Math.min(tasks, Suppressed.KEPT));
                if (tasks > Suppressed.KEPT) {
                    assertThat(suppressed).hasSize(Suppressed.KEPT + 1);
                    assertThat(suppressed[Suppressed.KEPT])
                            .isInstanceOf(Suppressed.More.class)
                            .hasToString("and " + (tasks - Suppressed.KEPT) + " more "
                                    + (tasks - Suppressed.KEPT == 1 ? "task" : "tasks")
                                    + " failed with this same exception");
                } else {
                    assertThat(suppressed).hasSize(tasks);
                }
            });
        }
    }

    @Test
    void suppressedRecords_areCappedAndCounted() {
        RuntimeException shared = new RuntimeException("one cause for all");
        for (int i = 0; i < 200; i++) {
            Suppressed.addCapped(shared, new TaskFailure(i, "f(" + i + ")", "processes", null));
        }
        Suppressed.addCapped(shared, new IllegalStateException("another kind is kept apart"));

        assertThat(shared.getSuppressed()).hasSize(7);
        assertThat(((Suppressed.More) shared.getSuppressed()[5]).count()).isEqualTo(195);
        assertThat(shared.getSuppressed()[6]).hasMessage("another kind is kept apart");
    }

    // ---- the worker's own exits before it is accepted -------------------------------------------------------

    @Test
    void workerWhoseParentIsNotRunning_exitsWithItsOwnCode_andSaysWhy() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Process worker = startWorker(Path.of("/nonexistent/channel.sock"), gone.pid());

        Exit exit;
        try {
            exit = await(worker);
        } finally {
            worker.getOutputStream().close();
        }

        assertThat(exit.code).isEqualTo(3);
        assertThat(exit.stderr)
                .contains(
                        "exiting before the parent accepted it: the parent process " + gone.pid() + " is not running");
    }

    @Test
    void workerWhoseStdinClosesBeforeItIsAccepted_exitsWithItsOwnCode_andSaysWhy(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process worker = startWorker(socket, ProcessHandle.current().pid());
            try (SocketChannel ch = server.accept()) {
                assertThat(Channels.newInputStream(ch).read()).isEqualTo(Protocol.HELLO);
                worker.getOutputStream().close(); // the pipe from the "parent" ends, the channel stays open

                Exit exit = await(worker);

                assertThat(exit.code).isEqualTo(4);
                assertThat(exit.stderr).contains("exiting before the parent accepted it: its stdin");
            }
        }
    }

    @Test
    void workerWhoseChannelClosesBeforeAnyFrame_exitsWithItsOwnCode_andSaysWhy(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process worker = startWorker(socket, ProcessHandle.current().pid());
            try {
                try (SocketChannel ch = server.accept()) {
                    assertThat(Channels.newInputStream(ch).read()).isEqualTo(Protocol.HELLO);
                }

                Exit exit = await(worker);

                assertThat(exit.code).isEqualTo(5);
                assertThat(exit.stderr).contains("the parent closed the channel without sending anything");
            } finally {
                worker.getOutputStream().close();
            }
        }
    }

    @Test
    void workerAcceptedThenShutDown_exitsWithZero_andPrintsNothing(@TempDir Path dir) throws Exception {
        Path socket = dir.resolve("s.sock");
        try (ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(socket));
            Process worker = startWorker(socket, ProcessHandle.current().pid());
            try (SocketChannel ch = server.accept()) {
                DataOutputStream out = new DataOutputStream(Channels.newOutputStream(ch));
                out.writeByte(Protocol.SHUTDOWN);
                out.flush();

                Exit exit = await(worker);

                assertThat(exit.code).isZero();
                assertThat(exit.stderr).isEmpty();
            } finally {
                worker.getOutputStream().close();
            }
        }
    }

    private static Process startWorker(Path socket, long parentPid) throws IOException {
        List<String> cmd =
                new ArrayList<>(ChildJvms.command(WorkerMain.class, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(socket.toString(), "1", Long.toString(parentPid), "0"));
        return new ProcessBuilder(cmd)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }

    private record Exit(int code, String stderr) {}

    private static Exit await(Process worker) throws Exception {
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(worker.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "<" + e + ">";
            }
        });
        try {
            assertThat(worker.waitFor(60, TimeUnit.SECONDS))
                    .as("the worker exited")
                    .isTrue();
            return new Exit(worker.exitValue(), err.get(30, TimeUnit.SECONDS));
        } finally {
            worker.destroyForcibly();
        }
    }
}
