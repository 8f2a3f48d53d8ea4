package io.joblib4j.cli;

import io.joblib4j.Joblib;
import io.joblib4j.cli.text.Table;
import io.joblib4j.memory.CacheEntry;
import io.joblib4j.memory.Memory;
import io.joblib4j.memory.StoreBackend;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code ./joblib4j cache ls|info|clear|prune DIR}: inspect and trim a {@code Memory} cache directory. */
@Command(
        name = "cache",
        mixinStandardHelpOptions = true,
        description = "Inspect and trim a Memory cache directory (the location given to Memory).",
        subcommands = {
            CacheCommand.Ls.class,
            CacheCommand.Info.class,
            CacheCommand.Clear.class,
            CacheCommand.Prune.class
        })
final class CacheCommand implements Runnable {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** The store in {@code dir}, which must hold a cache. */
    static StoreBackend open(CommandLine.Model.CommandSpec spec, Path dir) {
        if (!Files.isDirectory(dir.resolve("joblib4j"))) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(),
                    "no Memory cache in " + dir + " (expected the directory " + dir.resolve("joblib4j") + ")");
        }
        StoreBackend store = StoreBackend.fileSystem(dir);
        try {
            store.functions(); // refuses a joblib4j directory that the store did not write
        } catch (IOException e) {
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "refusing to use " + dir + ": " + e.getMessage());
        }
        return store;
    }

    static String time(Instant t) {
        return t.equals(Instant.EPOCH) ? "-" : TIME.format(t);
    }

    static String ago(Instant t) {
        Duration d = Duration.between(t, Instant.now());
        if (d.isNegative()) {
            d = Duration.ZERO;
        }
        long s = d.toSeconds();
        if (s < 60) {
            return s + "s ago";
        }
        if (s < 3600) {
            return s / 60 + "min ago";
        }
        if (s < 86_400) {
            return s / 3600 + "h ago";
        }
        return s / 86_400 + "d ago";
    }

    static void table(PrintWriter out, List<String[]> rows, boolean... rightAligned) {
        Table.lines(rows, rightAligned).forEach(out::println);
    }

    /** Parses {@code 7d}, {@code 12h}, {@code 30m}, {@code 45s} or an ISO-8601 duration ({@code PT1H}). */
    static Duration parseAge(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        try {
            if (t.startsWith("p") || t.startsWith("-p")) {
                return Duration.parse(text.trim().toUpperCase(Locale.ROOT));
            }
            char unit = t.charAt(t.length() - 1);
            long n = Long.parseLong(t.substring(0, t.length() - 1).trim());
            return switch (unit) {
                case 'd' -> Duration.ofDays(n);
                case 'h' -> Duration.ofHours(n);
                case 'm' -> Duration.ofMinutes(n);
                case 's' -> Duration.ofSeconds(n);
                default -> throw new NumberFormatException();
            };
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException("invalid age \"" + text + "\": expected a number with d, h, m or s "
                    + "(7d, 12h, 30m, 45s) or an ISO-8601 duration (PT1H)");
        }
    }

    @Command(
            name = "ls",
            mixinStandardHelpOptions = true,
            description = "List the cached functions: entries, size on disk and last access.")
    static final class Ls implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "the cache location")
        Path dir;

        @Override
        public Integer call() throws IOException {
            StoreBackend store = open(spec, dir);
            PrintWriter out = spec.commandLine().getOut();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"function", "entries", "size", "last access"});
            long totalBytes = 0;
            int totalEntries = 0;
            for (String f : store.functions()) {
                List<CacheEntry> entries = store.entries(f);
                long bytes = entries.stream().mapToLong(CacheEntry::sizeBytes).sum();
                Instant last = entries.stream()
                        .map(CacheEntry::lastAccess)
                        .max(Comparator.naturalOrder())
                        .orElse(Instant.EPOCH);
                rows.add(new String[] {
                    f,
                    Integer.toString(entries.size()),
                    Joblib.formatBytes(bytes),
                    last.equals(Instant.EPOCH) ? "-" : time(last) + " (" + ago(last) + ")"
                });
                totalBytes += bytes;
                totalEntries += entries.size();
            }
            table(out, rows, false, true, true, false);
            out.printf(
                    Locale.ROOT,
                    "%d function%s, %d entr%s, %s in %s%n",
                    rows.size() - 1,
                    rows.size() == 2 ? "" : "s",
                    totalEntries,
                    totalEntries == 1 ? "y" : "ies",
                    Joblib.formatBytes(totalBytes),
                    store.location());
            return 0;
        }
    }

    @Command(
            name = "info",
            mixinStandardHelpOptions = true,
            description = "Show one function (its code record and entries) or one entry (its metadata).")
    static final class Info implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "the cache location")
        Path dir;

        @Parameters(index = "1", paramLabel = "FUNCTION", description = "the function's identifier (see ls)")
        String function;

        @Parameters(index = "2", paramLabel = "KEY", arity = "0..1", description = "one entry's key")
        String key;

        @Override
        public Integer call() throws IOException {
            StoreBackend store = open(spec, dir);
            PrintWriter out = spec.commandLine().getOut();
            if (!store.functions().contains(function)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "no function \"" + function + "\" in " + store.location() + "; cached functions: "
                                + store.functions());
            }
            if (key != null) {
                CacheEntry e = store.entry(function, key);
                if (e == null) {
                    throw new CommandLine.ParameterException(
                            spec.commandLine(), "no entry \"" + key + "\" for " + function + " in " + store.location());
                }
                out.println("function:    " + e.functionId());
                out.println("key:         " + e.key());
                out.println("stored:      " + time(e.created()));
                out.println("last access: " + time(e.lastAccess()) + " (" + ago(e.lastAccess()) + ")");
                out.printf(Locale.ROOT, "duration:    %.3f s%n", e.duration().toNanos() / 1e9);
                out.println("size:        " + Joblib.formatBytes(e.sizeBytes()));
                out.println("arguments:");
                e.inputArgs().forEach((k, v) -> out.println("  " + k + " = " + v));
                out.println("output:      " + store.output(function, key));
                return 0;
            }
            String record = store.codeRecord(function);
            out.println("function: " + function);
            out.println("code record:");
            out.println(record == null ? "  (none)" : record.strip().indent(2).stripTrailing());
            List<CacheEntry> entries = new ArrayList<>(store.entries(function));
            entries.sort(Comparator.comparing(CacheEntry::lastAccess).reversed());
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"key", "size", "duration", "last access", "arguments"});
            for (CacheEntry e : entries) {
                rows.add(new String[] {
                    e.key(),
                    Joblib.formatBytes(e.sizeBytes()),
                    String.format(Locale.ROOT, "%.3f s", e.duration().toNanos() / 1e9),
                    ago(e.lastAccess()),
                    e.inputArgs().toString()
                });
            }
            out.println(entries.size() + " entr" + (entries.size() == 1 ? "y" : "ies") + ":");
            table(out, rows, false, true, true, false, false);
            return 0;
        }
    }

    @Command(
            name = "clear",
            mixinStandardHelpOptions = true,
            description = {
                "Remove every entry, or every entry of one function.",
                "Only what the store wrote is deleted (entries and code records); other files under DIR/joblib4j "
                        + "stay, and a DIR/joblib4j that is not a joblib4j store is refused."
            })
    static final class Clear implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "the cache location")
        Path dir;

        @Parameters(index = "1", paramLabel = "FUNCTION", arity = "0..1", description = "only this function")
        String function;

        @Override
        public Integer call() throws IOException {
            StoreBackend store = open(spec, dir);
            PrintWriter out = spec.commandLine().getOut();
            List<String> targets = function == null ? store.functions() : List.of(function);
            if (function != null && !store.functions().contains(function)) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(),
                        "no function \"" + function + "\" in " + store.location() + "; cached functions: "
                                + store.functions());
            }
            int entries = 0;
            long bytes = 0;
            try {
                for (String f : targets) {
                    List<CacheEntry> before = store.entries(f);
                    store.clear(f);
                    List<String> left =
                            store.entries(f).stream().map(CacheEntry::key).toList();
                    for (CacheEntry e : before) {
                        if (!left.contains(e.key())) { // counted only once it is really gone
                            entries++;
                            bytes += e.sizeBytes();
                        }
                    }
                }
                if (function == null) {
                    store.clear();
                }
            } catch (IOException e) {
                spec.commandLine()
                        .getErr()
                        .printf(
                                Locale.ROOT,
                                "cannot clear %s (after removing %d entr%s): %s%n",
                                store.location(),
                                entries,
                                entries == 1 ? "y" : "ies",
                                e.getMessage());
                return 1;
            }
            out.printf(
                    Locale.ROOT,
                    "removed %d entr%s (%s) of %d function%s from %s%n",
                    entries,
                    entries == 1 ? "y" : "ies",
                    Joblib.formatBytes(bytes),
                    targets.size(),
                    targets.size() == 1 ? "" : "s",
                    store.location());
            return 0;
        }
    }

    @Command(
            name = "prune",
            mixinStandardHelpOptions = true,
            description = "Remove least recently used entries until every given limit holds.")
    static final class Prune implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "DIR", description = "the cache location")
        Path dir;

        @Option(names = "--bytes", paramLabel = "SIZE", description = "keep at most this much (500M, 2G)")
        String bytes;

        @Option(names = "--items", paramLabel = "N", description = "keep at most N entries")
        Integer items;

        @Option(
                names = "--age",
                paramLabel = "AGE",
                description = "remove entries not used for AGE (7d, 12h, 30m, PT1H)")
        String age;

        @Override
        public Integer call() {
            StoreBackend store = open(spec, dir);
            if (bytes == null && items == null && age == null) {
                throw new CommandLine.ParameterException(
                        spec.commandLine(), "prune needs at least one limit: --bytes, --items or --age");
            }
            Long maxBytes;
            Duration maxAge;
            try {
                maxBytes = bytes == null ? null : Joblib.parseBytes(bytes);
                maxAge = age == null ? null : parseAge(age);
                if (maxAge != null && maxAge.isNegative()) {
                    throw new IllegalArgumentException("--age must not be negative, got " + age);
                }
                if (items != null && items < 0) {
                    throw new IllegalArgumentException("--items must be >= 0, got " + items);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
            }
            Memory memory = Memory.builder().store(store).verbose(0).build();
            List<CacheEntry> removed = memory.reduceSize(maxBytes, items, maxAge);
            long freed = removed.stream().mapToLong(CacheEntry::sizeBytes).sum();
            List<CacheEntry> left = memory.entries();
            PrintWriter out = spec.commandLine().getOut();
            out.printf(
                    Locale.ROOT,
                    "removed %d entr%s (%s); %d left (%s) in %s%n",
                    removed.size(),
                    removed.size() == 1 ? "y" : "ies",
                    Joblib.formatBytes(freed),
                    left.size(),
                    Joblib.formatBytes(
                            left.stream().mapToLong(CacheEntry::sizeBytes).sum()),
                    store.location());
            return 0;
        }
    }
}
