package io.joblib4j.cli;

import io.joblib4j.array.Npy;
import io.joblib4j.array.PersistException;
import io.joblib4j.persist.DumpInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Queue;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.Callable;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ./joblib4j inspect FILE}: describes a dump, {@code .npy} or {@code .npz} file from its headers without
 * loading objects or array data. Exit code 0 when the file was understood, 1 when it is corrupt or foreign.
 */
@Command(
        name = "inspect",
        mixinStandardHelpOptions = true,
        description = "Show what a dump, .npy or .npz file holds (format, codec, object types, arrays with "
                + "dtype/shape/offset/size) without loading it.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "the file to describe")
    Path file;

    private final PrintStream out;
    private final PrintStream err;

    InspectCommand() {
        this(System.out, System.err);
    }

    InspectCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        try {
            if (Files.isDirectory(file)) {
                err.println("inspect: " + file + ": a directory, not a file (name a dump, .npy or .npz file)");
                return 1;
            }
            if (!Files.exists(file)) {
                err.println("inspect: " + file + ": no such file");
                return 1;
            }
            if (!Files.isRegularFile(file)) {
                err.println("inspect: " + file + ": not a regular file");
                return 1;
            }
            byte[] head;
            try (InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(8);
            }
            if (head.length >= 6 && (head[0] & 0xFF) == 0x93 && head[1] == 'N' && head[2] == 'U') {
                npy(file);
            } else if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
                npz(file);
            } else {
                dump(DumpInfo.read(file));
            }
            return 0;
        } catch (PersistException e) {
            err.println("inspect: " + e.getMessage());
            return 1;
        } catch (IOException e) {
            err.println("inspect: " + file + ": " + e);
            return 1;
        }
    }

    private void npy(Path f) throws IOException {
        Npy.Header h = Npy.readHeader(f);
        out.println(f + ": NumPy .npy version " + h.major() + "." + h.minor());
        out.printf(
                Locale.ROOT,
                "  dtype %s (%s), shape %s, %s order, data at offset %d, %s%n",
                h.descr(),
                h.dtype().numpyName(),
                Arrays.toString(h.shape()),
                h.fortranOrder() ? "Fortran" : "C",
                h.dataOffset(),
                bytes(h.dataBytes()));
    }

    private void npz(Path f) throws IOException {
        out.println(f + ": NumPy .npz archive");
        try (ZipFile zip = new ZipFile(f.toFile())) {
            for (ZipEntry e : Collections.list(zip.entries())) {
                try (InputStream in = zip.getInputStream(e)) {
                    Npy.Header h = Npy.readHeader(in);
                    out.printf(
                            Locale.ROOT,
                            "  %-20s %s %s, %s (%s)%n",
                            e.getName(),
                            h.descr(),
                            Arrays.toString(h.shape()),
                            bytes(h.dataBytes()),
                            e.getMethod() == ZipEntry.DEFLATED ? "deflated" : "stored");
                }
            }
        }
    }

    private void dump(DumpInfo info) {
        out.printf(
                Locale.ROOT,
                "%s: joblib4j dump, format version %d, %s%n",
                info.file(),
                info.formatVersion(),
                info.codec() == io.joblib4j.persist.Compression.Codec.NONE
                        ? "uncompressed (arrays memory-mappable)"
                        : "compressed with " + info.codec().label() + " (" + bytes(info.fileSize()) + " on disk, "
                                + bytes(info.dumpBytes()) + " uncompressed"
                                + (info.byteShuffled() ? ", arrays byte-shuffled" : "") + ")");
        out.println("  root: " + (info.rootType() == null ? "null" : sourceName(info.rootType())));
        out.println("  object stream: " + bytes(info.objectStreamBytes()));
        out.println("  types" + (info.typesTruncated() ? " (first " + "10000 objects)" : "") + ":");
        for (DumpInfo.TypeCount t : info.types()) {
            out.printf(
                    Locale.ROOT,
                    "    %8d  %s%s%n",
                    t.count(),
                    sourceName(t.className()),
                    t.allowedByDefault() ? "" : "   [not on the default allowlist]");
        }
        out.println("  arrays: " + info.arrays().size());
        int i = 0;
        for (DumpInfo.ArrayInfo a : info.arrays()) {
            out.printf(
                    Locale.ROOT,
                    "    #%-3d %-10s %-8s shape %-16s offset %-10d %s%n",
                    i++,
                    a.ndarray() ? "NdArray" : "array",
                    a.dtype().numpyDescr(a.order()),
                    Arrays.toString(a.shape()),
                    a.offset(),
                    bytes(a.byteSize()));
        }
    }

    private static final List<Class<?>> VIEWS = List.of(
            List.class,
            NavigableSet.class,
            SortedSet.class,
            Set.class,
            NavigableMap.class,
            SortedMap.class,
            Map.class,
            Deque.class,
            Queue.class,
            Collection.class,
            Map.Entry.class);

    /**
     * A class as Java source names it ({@code double[]}, {@code String}, {@code com.acme.Outer.Inner}), and a
     * JDK implementation class that no source can name ({@code java.util.ImmutableCollections$ListN}) as the
     * collection interface it implements ({@code List}).
     */
    static String sourceName(String binaryName) {
        int dims = 0;
        while (dims < binaryName.length() && binaryName.charAt(dims) == '[') {
            dims++;
        }
        String element = binaryName.substring(dims);
        if (dims > 0) {
            element = switch (element) {
                case "Z" -> "boolean";
                case "B" -> "byte";
                case "C" -> "char";
                case "S" -> "short";
                case "I" -> "int";
                case "J" -> "long";
                case "F" -> "float";
                case "D" -> "double";
                default ->
                    element.startsWith("L") && element.endsWith(";")
                            ? sourceName(element.substring(1, element.length() - 1))
                            : element;
            };
            return element + "[]".repeat(dims);
        }
        if (element.startsWith("java.")) {
            try {
                Class<?> type = Class.forName(element, false, InspectCommand.class.getClassLoader());
                if (!java.lang.reflect.Modifier.isPublic(type.getModifiers())) {
                    for (Class<?> view : VIEWS) {
                        if (view.isAssignableFrom(type)) {
                            return view == Map.Entry.class ? "Map.Entry" : view.getSimpleName();
                        }
                    }
                }
            } catch (ClassNotFoundException | LinkageError e) {
                // not on this class path: named from its binary name
            }
        }
        String name =
                element.startsWith("java.lang.") && element.indexOf('.', 10) < 0 ? element.substring(10) : element;
        return name.replaceAll("\\$(?=[^0-9])", ".");
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }
}
