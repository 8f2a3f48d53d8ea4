package io.joblib4j.internal.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which class-data-sharing options worker JVMs get ({@link ClassDataArchive}). */
class ClassDataArchiveTest {
    @TempDir
    Path dir;

    private static String archiveOf(List<String> options) {
        for (String o : options) {
            if (o.startsWith("-XX:ArchiveClassesAtExit=") || o.startsWith("-XX:SharedArchiveFile=")) {
                String path = o.substring(o.indexOf('=') + 1);
                String name = Path.of(path).getFileName().toString();
                return name.substring(0, name.indexOf(".jsa") + 4);
            }
        }
        return null;
    }

    @Test
    void collect_removesOrphanedWrites_andOldArchivesBeyondTheNewest(@TempDir Path dir) throws Exception {
        long now = System.currentTimeMillis();
        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        long dead = done.pid();
        long self = ProcessHandle.current().pid();
        Path orphan = file(dir, "worker-0b3930591d7b7dc4.jsa." + dead + "-292897279860.tmp", now - 3_600_000);
        Path orphanAssembled = file(dir, "childmain-aot-8ff16aa9.jsa." + dead + "-1.tmp.jsa", now - 3_600_000);
        Path youngOrphan = file(dir, "worker-0c.jsa." + dead + "-2.tmp", now - 1_000); // an Assembler may still run
        Path ownWrite = file(dir, "worker-0d.jsa." + self + "-3.tmp", now - 3_600_000);
        Path notOurs = file(dir, "notes.txt", now - 100 * 3_600_000L);
        List<Path> workers = new java.util.ArrayList<>();
        for (int i = 0; i < ClassDataArchive.KEEP + 3; i++) {
            // the three oldest are two days old; the newest KEEP stay
            workers.add(file(dir, "worker-" + Integer.toHexString(0xa0 + i) + ".jsa", now - (20 - i) * 3_600_000L * 4));
        }
        Path child = file(dir, "childmain-aot-77f0bad2.jsa", now - 100 * 3_600_000L); // alone of its kind: kept

        ClassDataArchive.collect(dir, now);

        assertThat(orphan).doesNotExist();
        assertThat(orphanAssembled).doesNotExist();
        assertThat(youngOrphan).exists();
        assertThat(ownWrite).exists();
        assertThat(notOurs).exists();
        assertThat(child).exists();
        assertThat(workers.subList(0, 3)).allSatisfy(p -> assertThat(p).doesNotExist());
        assertThat(workers.subList(3, workers.size()))
                .allSatisfy(p -> assertThat(p).exists());
    }

    private static Path file(Path dir, String name, long modifiedMillis) throws java.io.IOException {
        Path f = Files.writeString(dir.resolve(name), "x");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.fromMillis(modifiedMillis));
        return f;
    }

    @Test
    void poolOptionsThatChooseSharingThemselves_turnTheArchiveOff() {
        List<String> cp = List.of("-cp", "a.jar");
        assertThat(ClassDataArchive.options(List.of("-Xshare:off"), cp)).isEmpty();
        assertThat(ClassDataArchive.options(List.of("-Xshare:auto"), cp)).isEmpty();
        assertThat(ClassDataArchive.options(List.of("-XX:SharedArchiveFile=/x.jsa"), cp))
                .isEmpty();
    }

    @Test
    void classPathWithAFolder_noArchive() throws Exception {
        Path jar = Files.write(dir.resolve("app.jar"), new byte[] {1, 2, 3});
        Files.createDirectories(dir.resolve("classes"));
        assertThat(ClassDataArchive.options(
                        List.of(), List.of("-cp", jar + java.io.File.pathSeparator + dir.resolve("classes"))))
                .isEmpty();
    }

    @Test
    void archiveName_changesWithTheClassPathAndItsJars() throws Exception {
        Path jar = Files.write(dir.resolve("app.jar"), new byte[] {1, 2, 3});
        List<String> first = ClassDataArchive.options(List.of("-Dk=1"), List.of("-cp", jar.toString()));
        org.junit.jupiter.api.Assumptions.assumeTrue(!first.isEmpty(), "no private per-user cache folder here");
        assertThat(first).contains("-Xlog:cds=off");
        String a = archiveOf(first);
        // a second worker of this JVM while the first writes the archive: none for it
        assertThat(ClassDataArchive.options(List.of("-Dk=1"), List.of("-cp", jar.toString())))
                .isEmpty();
        Files.setLastModifiedTime(
                jar, FileTime.fromMillis(Files.getLastModifiedTime(jar).toMillis() - 60_000));
        String b = archiveOf(ClassDataArchive.options(List.of("-Dk=1"), List.of("-cp", jar.toString())));
        Path other = Files.write(dir.resolve("b.jar"), new byte[] {4});
        String c = archiveOf(
                ClassDataArchive.options(List.of("-Dk=1"), List.of("-cp", jar + java.io.File.pathSeparator + other)));
        String d = archiveOf(ClassDataArchive.options(List.of("-Dk=2"), List.of("-cp", jar.toString())));
        assertThat(List.of(a, b, c, d)).doesNotContainNull().doesNotHaveDuplicates();
        ClassDataArchive.notStarted(first); // none of these workers started
    }
}
