package io.joblib4j.process;

import io.joblib4j.internal.NativeLibraries;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;

/**
 * An application class-data-sharing archive for worker JVMs, one per JDK, class path and JVM options, in the
 * per-user cache folder ({@code ~/.cache/joblib4j/cds}): workers map the classes they load at start-up (joblib4j's,
 * Apache Fory's, the codecs') from it instead of parsing and verifying them again.
 *
 * <p>The first worker that finds no archive writes one when it exits ({@code -XX:ArchiveClassesAtExit} to a file
 * of its own), and the parent renames that file into place once the worker exited cleanly, so a reader never sees
 * a partial archive and two writers never share a file. The archive's name holds a checksum of the JDK, the JVM
 * options and the class path with each jar's size and modification time: a change of any of them selects a new
 * archive (old ones stay until the cache is cleaned). The JVM checks an archive itself too and runs without it
 * when it does not match. Off when {@code -Djoblib4j.worker.cds=false} is set in the parent, or when the pool's
 * JVM options choose class-data sharing themselves ({@code -Xshare...}, {@code -XX:SharedArchiveFile=...}), and
 * when the class path holds a folder (the JVM archives classes from jars only, and a dump with a folder on the
 * class path fails the worker's exit status).
 */
final class ClassDataArchive {
    static final String PROPERTY = "joblib4j.worker.cds";
    private static final String WRITE = "-XX:ArchiveClassesAtExit=";
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    /** Archives that a worker of this JVM is writing. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private ClassDataArchive() {}

    /** The options that make a worker use (or write) the archive for this command, or none. */
    static List<String> options(List<String> userOptions, List<String> classPathOptions) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return List.of();
        }
        for (String o : userOptions) {
            if (o.startsWith("-Xshare")
                    || o.contains("SharedArchiveFile")
                    || o.contains("ArchiveClassesAtExit")
                    || o.contains("AutoCreateSharedArchive")) {
                return List.of();
            }
        }
        if (!onlyJars(classPathOptions)) {
            return List.of(); // the JVM archives classes from jars only, and fails a dump (exit code 1) otherwise
        }
        Path dir = NativeLibraries.userCacheFolder("cds");
        if (dir == null) {
            return List.of();
        }
        Path archive = dir.resolve("worker-" + key(userOptions, classPathOptions) + ".jsa");
        if (Files.isRegularFile(archive)) {
            return concat(List.of("-XX:SharedArchiveFile=" + archive), QUIET);
        }
        if (!WRITING.add(archive)) {
            return List.of(); // another worker of this JVM is writing it
        }
        Path tmp = dir.resolve(
                archive.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
        return concat(List.of(WRITE + tmp), QUIET);
    }

    /** Workers writing an archive at exit, until they exit. */
    private static final Set<Process> WRITERS = ConcurrentHashMap.newKeySet();

    /** Whether {@code process} is a worker that writes an archive when it exits. */
    static boolean writes(Process process) {
        return WRITERS.contains(process);
    }

    /** Moves the archive that the worker started with {@code command} wrote into place once it exits cleanly. */
    static void started(List<String> command, Process process) {
        for (String o : command) {
            if (!o.startsWith(WRITE)) {
                continue;
            }
            Path tmp = Path.of(o.substring(WRITE.length()));
            String name = tmp.getFileName().toString();
            Path archive = tmp.resolveSibling(name.substring(0, name.indexOf(".jsa") + 4));
            WRITERS.add(process);
            // the action handles its own failures and nothing waits for it: the stage it returns is not needed
            var _ = process.onExit().thenRun(() -> {
                WRITERS.remove(process);
                try {
                    if (process.exitValue() == 0 && Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                    }
                } catch (IOException | RuntimeException e) {
                    // no archive this time: the next pool tries again
                } finally {
                    try {
                        Files.deleteIfExists(tmp);
                    } catch (IOException ignored) {
                        // best effort
                    }
                    WRITING.remove(archive);
                }
            });
        }
    }

    /** Forgets that a worker of this JVM writes the archive named in {@code command} (it did not start). */
    static void notStarted(List<String> command) {
        for (String o : command) {
            if (o.startsWith(WRITE)) {
                String name = Path.of(o.substring(WRITE.length())).getFileName().toString();
                WRITING.removeIf(a -> name.startsWith(a.getFileName().toString()));
            }
        }
    }

    /** Whether every entry of the class path and module path is a jar (a regular file). */
    static boolean onlyJars(List<String> classPathOptions) {
        for (int i = 0; i + 1 < classPathOptions.size(); i++) {
            String o = classPathOptions.get(i);
            if (o.equals("-cp") || o.equals("--module-path")) {
                for (String entry : classPathOptions.get(i + 1).split(File.pathSeparator, -1)) {
                    if (!entry.isEmpty() && !Files.isRegularFile(Path.of(entry))) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static String key(List<String> userOptions, List<String> classPathOptions) {
        CRC32 a = new CRC32();
        CRC32 b = new CRC32();
        StringBuilder sb = new StringBuilder();
        sb.append(System.getProperty("java.home"))
                .append('\n')
                .append(Runtime.version())
                .append('\n');
        userOptions.forEach(o -> sb.append(o).append('\n'));
        for (int i = 0; i < classPathOptions.size(); i++) {
            String o = classPathOptions.get(i);
            sb.append(o).append('\n');
            if ((o.equals("-cp") || o.equals("--module-path")) && i + 1 < classPathOptions.size()) {
                for (String entry : classPathOptions.get(i + 1).split(File.pathSeparator, -1)) {
                    try {
                        Path p = Path.of(entry);
                        if (Files.isRegularFile(p)) {
                            sb.append(Files.size(p))
                                    .append('@')
                                    .append(Files.getLastModifiedTime(p).toMillis())
                                    .append('\n');
                        }
                    } catch (IOException | RuntimeException e) {
                        sb.append("?\n");
                    }
                }
            }
        }
        byte[] bytes = sb.toString().getBytes(StandardCharsets.UTF_8);
        a.update(bytes);
        for (int i = bytes.length - 1; i >= 0; i--) {
            b.update(bytes[i]);
        }
        return String.format("%08x%08x", a.getValue(), b.getValue());
    }

    private static List<String> concat(List<String> x, List<String> y) {
        List<String> out = new java.util.ArrayList<>(x);
        out.addAll(y);
        return out;
    }
}
