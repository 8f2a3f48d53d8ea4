package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.internal.TempFolders;
import io.joblib4j.internal.process.ChildJvms;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Workers never outlive their parent, and what a killed parent leaves in the temp folder is collected later. */
class OrphanAndLeftoverTest {

    @Test
    void parentKilled_workerExits_andItsFolderIsCollectedLater() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ChildJvms.command(OrphanParent.class));
        pb.redirectErrorStream(true);
        Process parent = pb.start();
        long workerPid;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(parent.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("WORKER "));
            assertThat(line).as("the parent JVM printed its worker's pid").isNotNull();
            workerPid = Long.parseLong(line.substring("WORKER ".length()).trim());
            Path base = TempFolders.defaultBase();
            assertThat(folders(base, parent.pid())).isNotEmpty();

            parent.destroyForcibly(); // SIGKILL: no shutdown hook runs
            parent.onExit().get(10, TimeUnit.SECONDS);
            ProcessHandle worker = ProcessHandle.of(workerPid).orElse(null);
            if (worker != null) {
                worker.onExit().get(15, TimeUnit.SECONDS);
            }
            assertThat(ProcessHandle.of(workerPid).map(ProcessHandle::isAlive).orElse(false))
                    .isFalse();

            assertThat(folders(base, parent.pid()))
                    .as("a SIGKILLed parent cannot clean up")
                    .isNotEmpty();
            TempFolders.collectLeftovers(base);
            assertThat(folders(base, parent.pid())).isEmpty();
        } finally {
            parent.destroyForcibly();
        }
    }

    @Test
    void create_collectsFoldersOfDeadProcesses_keepsLiveOnes(@TempDir Path base) throws Exception {
        Process dead = new ProcessBuilder("true").start();
        dead.waitFor();
        Path leftover = Files.createDirectories(
                base.resolve("joblib4j-" + dead.pid() + "-call-abc"),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
        Files.writeString(leftover.resolve("array-0.bin"), "x");
        Path live = Files.createDirectories(base.resolve(
                "joblib4j-" + ProcessHandle.current().parent().orElseThrow().pid() + "-call-def"));
        Path unrelated = Files.createDirectories(base.resolve("other-123"));

        Path mine = TempFolders.create(base, "call");

        assertThat(leftover).doesNotExist();
        assertThat(live).exists();
        assertThat(unrelated).exists();
        assertThat(mine.getFileName().toString())
                .startsWith("joblib4j-" + ProcessHandle.current().pid() + "-call-");
        TempFolders.delete(mine);
        assertThat(mine).doesNotExist();
    }

    private static List<Path> folders(Path base, long pid) throws Exception {
        try (Stream<Path> s = Files.list(base)) {
            return s.filter(p -> p.getFileName().toString().startsWith("joblib4j-" + pid + "-"))
                    .toList();
        }
    }
}
