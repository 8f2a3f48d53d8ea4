package io.joblib4j.internal.process;

import io.joblib4j.internal.NativeLibraries;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * A per-user archive of the classes that worker JVMs (or {@code JvmProcess} children) load at start-up, one per kind
 * of JVM, JDK, class path and JVM options, in the per-user cache folder ({@code ~/.cache/joblib4j/cds}): they map
 * joblib4j's classes, Apache Fory's, the codecs' and the JDK's from it instead of parsing and verifying them again.
 *
 * <p>Workers use an application class-data-sharing archive: the first worker that finds none writes one when it
 * exits ({@code -XX:ArchiveClassesAtExit}, to a file of its own), and the parent renames that file into place once
 * the worker exited cleanly. Children use JDK 25's AOT cache (JEP 483 and 514), whose classes are also linked: the
 * first child records its class loading ({@code -XX:AOTMode=record}, with the JVM's own console output off, which
 * would otherwise print where the recording went on the child's stdout); once it exited with code 0, a small JVM of
 * joblib4j ({@link Assembler}) assembles the cache from the recording in a {@code java -XX:AOTMode=create} process of
 * the same options and class path (about a second of CPU, in the background, output discarded) and renames it into
 * place, so that the cache is installed even when the parent has exited by then. (For a child, the AOT cache takes
 * 10 to 20 % less of its start than a class-data archive; for workers no gain could be measured, and their cache,
 * which holds every class the first worker loaded in its life, is six times the size.) Either way, a reader
 * never sees a partial archive and two writers never share a file. The archive's name holds a checksum of the JDK,
 * the JVM options and the class path with each jar's size and modification time: a change of any of them selects a
 * new archive (the folder keeps the newest few of each kind, see {@link #collect}). The JVM checks an archive itself too and runs
 * without it when it does not match.
 *
 * <p>Off when {@code -Djoblib4j.worker.cds=false} is set in the parent, or when the JVM options choose class-data
 * sharing or an AOT cache themselves ({@code -Xshare...}, {@code -XX:SharedArchiveFile=...}, {@code -XX:AOT...}),
 * and when the class path holds a folder (the JVM archives classes from jars only, and a dump with a folder on the
 * class path fails the JVM's exit status).
 */
public final class ClassDataArchive {
    static final String PROPERTY = "joblib4j.worker.cds";
    private static final String WRITE = "-XX:ArchiveClassesAtExit=";
    private static final String USE_AOT = "-XX:AOTCache=";
    private static final String RECORD = "-XX:AOTConfiguration=";
    private static final List<String> RECORDING =
            List.of("-XX:AOTMode=record", "-XX:+UnlockDiagnosticVMOptions", "-XX:-DisplayVMOutput");
    private static final List<String> QUIET = List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off");
    private static final List<String> QUIET_AOT = List.of("-Xlog:aot=off", "-Xlog:cds=off");
    /** Archives that a JVM started by this one is writing, or that this JVM is assembling. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private ClassDataArchive() {}

    /** The options that make a worker JVM use (or write) the archive for this command, or none. */
    static List<String> options(List<String> userOptions, List<String> classPathOptions) {
        return options(WorkerMain.class, userOptions, classPathOptions);
    }

    /**
     * The options that make a JVM running {@code mainClass} (a main class of joblib4j: {@link WorkerMain} or
     * {@link ChildMain}) use the archive for this command, or write it; none when off.
     */
    public static List<String> options(Class<?> mainClass, List<String> userOptions, List<String> classPathOptions) {
        if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
            return List.of();
        }
        for (String o : userOptions) {
            if (o.startsWith("-Xshare")
                    || o.startsWith("-XX:AOT")
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
        boolean aot = mainClass != WorkerMain.class;
        String kind = aot ? mainClass.getSimpleName().toLowerCase(Locale.ROOT) + "-aot-" : "worker-";
        Path archive = dir.resolve(kind + key(userOptions, classPathOptions) + ".jsa");
        if (Files.isRegularFile(archive)) {
            return aot
                    ? concat(List.of(USE_AOT + archive), QUIET_AOT)
                    : concat(List.of("-XX:SharedArchiveFile=" + archive), QUIET);
        }
        if (!WRITING.add(archive)) {
            return List.of(); // another JVM started by this one is writing it
        }
        collect(dir, System.currentTimeMillis());
        Path tmp = dir.resolve(
                archive.getFileName() + "." + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
        if (!aot) {
            return concat(List.of(WRITE + tmp), QUIET);
        }
        List<String> out = new ArrayList<>(RECORDING);
        out.add(RECORD + tmp);
        out.addAll(QUIET_AOT);
        return out;
    }

    /** What the folder keeps per kind of archive (worker, or a child's AOT cache), the newest first. */
    static final int KEEP = 8;
    /** An archive younger than this is never removed, even beyond {@link #KEEP}: a JVM may be about to map it. */
    static final long KEEP_MILLIS = 60 * 60 * 1000L;
    /** A file being written for an archive by a JVM of a process that no longer runs is removed after this long. */
    static final long ORPHAN_MILLIS = 10 * 60 * 1000L;
    /** The name of an archive, or of a file being written for one by a JVM that the process PID started. */
    private static final Pattern NAME =
            Pattern.compile("([a-z]+(?:-aot)?)-[0-9a-f]+\\.jsa(?:\\.(\\d+)-\\d+\\.tmp(?:\\.jsa)?)?");

    /**
     * Tidies the cache folder before an archive is written: removes the files, ten minutes old or more, of archives
     * being written by JVMs of a process that no longer runs (their parent died before it could rename or remove
     * them), and, per kind, the
     * archives beyond the {@value #KEEP} newest that are older than an hour (each class path, JDK and option set has
     * an archive of its own, so the folder would otherwise grow with every build). Only names of this class's own
     * form are touched.
     */
    static void collect(Path dir, long now) {
        java.util.Map<String, List<Path>> archives = new java.util.HashMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = NAME.matcher(f.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                String pid = m.group(2);
                if (pid == null) {
                    archives.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(f);
                } else if (!alive(pid) && now - modified(f) > ORPHAN_MILLIS) {
                    Files.deleteIfExists(f); // an Assembler may outlive its parent by a few seconds: not younger ones
                }
            }
            for (List<Path> kind : archives.values()) {
                kind.sort(java.util.Comparator.comparingLong(ClassDataArchive::modified)
                        .reversed());
                for (Path old : kind.subList(Math.min(KEEP, kind.size()), kind.size())) {
                    if (now - modified(old) > KEEP_MILLIS) {
                        Files.deleteIfExists(old);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort: a folder that cannot be tidied still works
        }
    }

    private static boolean alive(String pid) {
        try {
            long p = Long.parseLong(pid);
            return p == ProcessHandle.current().pid()
                    || ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false);
        } catch (NumberFormatException e) {
            return true; // not a pid of ours: leave the file
        }
    }

    private static long modified(Path f) {
        try {
            return Files.getLastModifiedTime(f).toMillis();
        } catch (IOException e) {
            return Long.MAX_VALUE; // gone or unreadable: never chosen for removal
        }
    }

    /** JVMs writing an archive at exit, until they exit. */
    private static final Set<Process> WRITERS = ConcurrentHashMap.newKeySet();

    /** Whether {@code process} is a JVM that writes an archive (or its recording) when it exits. */
    public static boolean writes(Process process) {
        return WRITERS.contains(process);
    }

    /**
     * Once the JVM started with {@code command} (running {@code mainClass}) exits cleanly after writing an archive,
     * moves it into place; after recording its classes for an AOT cache, assembles the cache first.
     */
    public static void started(List<String> command, Process process, Class<?> mainClass) {
        for (String o : command) {
            boolean dump = o.startsWith(WRITE);
            if (!dump && !o.startsWith(RECORD)) {
                continue;
            }
            Path written = Path.of(o.substring(dump ? WRITE.length() : RECORD.length()));
            String name = written.getFileName().toString();
            Path archive = written.resolveSibling(name.substring(0, name.indexOf(".jsa") + 4));
            Path assembled = written.resolveSibling(name + ".jsa");
            List<String> create = dump ? List.of() : createCommand(command, mainClass, archive, written, assembled);
            WRITERS.add(process);
            // the action handles its own failures and nothing waits for it: the stage it returns is not needed
            var _ = process.onExit().thenRun(() -> {
                WRITERS.remove(process);
                boolean assembling = false;
                try {
                    if (process.exitValue() == 0 && Files.isRegularFile(written) && Files.size(written) > 0) {
                        if (dump) {
                            moveIntoPlace(written, archive);
                        } else {
                            assemble(create, archive);
                            assembling = true;
                        }
                    }
                } catch (IOException | RuntimeException e) {
                    // no archive this time: the next JVM tries again
                } finally {
                    if (!assembling) {
                        cleanUp(archive, written, assembled);
                    }
                }
            });
        }
    }

    /**
     * Starts the process that assembles the AOT cache: an {@link Assembler} JVM that runs {@code create}, moves the
     * cache into place and deletes the recording, so that the cache is installed even when this JVM exits first
     * (a program that starts one child and ends).
     */
    private static void assemble(List<String> assembler, Path archive) throws IOException {
        Process p = new ProcessBuilder(assembler)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        p.getOutputStream().close();
        // as in started(): nothing waits for this stage
        var _ = p.onExit().thenRun(() -> WRITING.remove(archive));
    }

    /**
     * The main class of the JVM that assembles an AOT cache from a recording: arguments {@code <archive>
     * <recording> <assembled> <java> <options...>}, the last ones the {@code java -XX:AOTMode=create} command.
     */
    static final class Assembler {
        private Assembler() {}

        public static void main(String[] args) throws Exception {
            Path archive = Path.of(args[0]);
            Path recording = Path.of(args[1]);
            Path assembled = Path.of(args[2]);
            try {
                Process p = new ProcessBuilder(List.of(args).subList(3, args.length))
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                        .redirectError(ProcessBuilder.Redirect.DISCARD)
                        .start();
                p.getOutputStream().close();
                if (p.waitFor() == 0 && Files.isRegularFile(assembled) && Files.size(assembled) > 0) {
                    moveIntoPlace(assembled, archive);
                }
            } finally {
                Files.deleteIfExists(recording);
                Files.deleteIfExists(assembled);
            }
        }
    }

    private static void moveIntoPlace(Path file, Path archive) throws IOException {
        Files.move(file, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * The command of the {@link Assembler} JVM: the options of {@code command} up to its main class, without those
     * that recorded, the assembler's main class and arguments, then the command that creates the cache from
     * {@code recording}: the same options and {@code -XX:AOTMode=create}.
     */
    private static List<String> createCommand(
            List<String> command, Class<?> mainClass, Path archive, Path recording, Path assembled) {
        List<String> options = new ArrayList<>();
        boolean module = false;
        for (String o : command) {
            if (o.equals("-m") || o.equals(mainClass.getName())) {
                module = o.equals("-m");
                break;
            }
            if (!RECORDING.contains(o) && !o.startsWith(RECORD)) {
                options.add(o);
            }
        }
        List<String> assembler = new ArrayList<>(options);
        if (module) {
            assembler.add("-m");
            assembler.add(Assembler.class.getModule().getName() + "/" + Assembler.class.getName());
        } else {
            assembler.add(Assembler.class.getName());
        }
        assembler.addAll(List.of(archive.toString(), recording.toString(), assembled.toString()));
        assembler.addAll(options);
        assembler.addAll(List.of("-XX:AOTMode=create", RECORD + recording, USE_AOT + assembled));
        return assembler;
    }

    private static void cleanUp(Path archive, Path recording, Path assembled) {
        try {
            Files.deleteIfExists(recording);
            Files.deleteIfExists(assembled);
        } catch (IOException ignored) {
            // best effort
        }
        WRITING.remove(archive);
    }

    /** Forgets that a JVM started by this one records the cache named in {@code command} (it did not start). */
    public static void notStarted(List<String> command) {
        for (String o : command) {
            if (o.startsWith(RECORD)) {
                String name =
                        Path.of(o.substring(RECORD.length())).getFileName().toString();
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
        List<String> out = new ArrayList<>(x);
        out.addAll(y);
        return out;
    }
}
