package io.joblib4j.persist;

import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.Inflater;
import java.util.zip.InflaterInputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.jspecify.annotations.Nullable;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.LZMAInputStream;
import org.tukaani.xz.LZMAOutputStream;
import org.tukaani.xz.XZInputStream;
import org.tukaani.xz.XZOutputStream;

/**
 * How {@code Joblib.dump} compresses a file: a codec and its level. Immutable; equal when codec and level are.
 *
 * <p>A compressed dump is one standard stream of the codec ({@code zstd -d file.zst} gives back the uncompressed
 * dump), so {@code load} recognises it from its magic bytes whatever the file is called: zlib {@code 78},
 * gzip {@code 1f 8b}, bz2 {@code BZh}, lzma {@code 5d 00 00}, xz {@code fd 37 7a 58 5a 00}, lz4 frame
 * {@code 04 22 4d 18}, zstd {@code 28 b5 2f fd}. Compressed files always load onto the heap (they cannot be
 * memory-mapped).
 *
 * <p>Other codecs can be added by name with {@link #register(String, CustomCodec)}; see {@link CustomCodec} for
 * what one must do so that {@code load} recognises its files.
 *
 * <p>{@link #byDefault()} (what "compress" means without a codec) is zstd level 3: on 80 MB of noisy doubles it
 * dumps several times faster than joblib's zlib level 3 and compresses at least as well (see BENCHMARKS.md).
 */
public final class Compression {

    /** The supported codecs with their file extensions. */
    public enum Codec {
        /** No compression ({@code ""}). */
        NONE(0, "", 0, 0, 0),
        /** zlib (RFC 1950) stream, levels 1-9 ({@code .z}). */
        ZLIB(1, ".z", 1, 9, 3),
        /** gzip (RFC 1952), levels 1-9 ({@code .gz}). */
        GZIP(2, ".gz", 1, 9, 3),
        /** bzip2, block size levels 1-9 ({@code .bz2}). */
        BZ2(3, ".bz2", 1, 9, 3),
        /** LZMA "alone" format, presets 0-9 ({@code .lzma}). */
        LZMA(4, ".lzma", 0, 9, 3),
        /** xz container (LZMA2), presets 0-9 ({@code .xz}). */
        XZ(5, ".xz", 0, 9, 3),
        /** LZ4 frame format, one fast level ({@code .lz4}). */
        LZ4(6, ".lz4", 0, 0, 0),
        /** Zstandard, levels 1-22 ({@code .zst}). */
        ZSTD(7, ".zst", 1, 22, 3),
        /**
         * A codec {@linkplain #register(String, CustomCodec) registered} by name; recognised on load by its magic
         * bytes, its extension is {@code "." + name}.
         */
        CUSTOM(8, "", 0, 0, 0);

        private final int id;
        private final String extension;
        private final int minLevel;
        private final int maxLevel;
        private final int defaultLevel;

        Codec(int id, String extension, int minLevel, int maxLevel, int defaultLevel) {
            this.id = id;
            this.extension = extension;
            this.minLevel = minLevel;
            this.maxLevel = maxLevel;
            this.defaultLevel = defaultLevel;
        }

        /** The one-byte id recorded in dump headers. */
        public int id() {
            return id;
        }

        /** The file extension that selects this codec, with its dot ({@code .zst}); empty for NONE. */
        public String extension() {
            return extension;
        }

        /** The codec with the given header id. @throws IllegalArgumentException for an unknown id */
        public static Codec ofId(int id) {
            for (Codec c : values()) {
                if (c.id == id) {
                    return c;
                }
            }
            throw new IllegalArgumentException(
                    "unknown codec id " + id + " (expected 0.." + (values().length - 1) + ")");
        }

        /** The lower-case name: {@code zstd}, {@code none}. */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * A compression codec that is not built in, added with {@link #register(String, CustomCodec)}: a pair of
     * stream wrappers and the magic bytes that start every stream it writes.
     *
     * <p>The contract:
     * <ul>
     *   <li>{@link #compress} wraps an output stream; everything written to the wrapper is compressed into it, and
     *   closing the wrapper finishes the compressed stream and closes the stream it wraps.</li>
     *   <li>Every compressed stream starts with {@link #magic()}: {@code load} reads a file's first bytes and picks
     *   the codec whose magic they start with (the built-in codecs' magic and the uncompressed dump's first, so a
     *   custom magic must differ from them and from the other registered ones; {@code register} checks it).
     *   Files keep nothing else that names the codec: a JVM that loads them must have registered it too (also a
     *   worker JVM of the {@code processes} backend that loads a compressed cached result).</li>
     *   <li>{@link #decompress} wraps an input stream positioned at the magic and gives back exactly the bytes
     *   written to the compressing wrapper. It should fail with an {@link IOException} on corrupt input, not loop
     *   or allocate without bound.</li>
     *   <li>Both are called from many threads at once: keep no mutable state outside the streams.</li>
     * </ul>
     */
    public interface CustomCodec {
        /** The bytes every stream of this codec starts with: 2 to 8 bytes, 4 or more recommended. */
        byte[] magic();

        /** Wraps {@code out} in a compressing stream; closing the result finishes the stream and closes out. */
        OutputStream compress(OutputStream out) throws IOException;

        /** Wraps {@code in}, positioned at the magic bytes, in a decompressing stream. */
        InputStream decompress(InputStream in) throws IOException;
    }

    private static final Compression NONE = new Compression(Codec.NONE, 0, null, null);
    /** Registered codecs, in order of registration. */
    private static final List<Compression> REGISTERED = new CopyOnWriteArrayList<>();
    /** Load reads 8 bytes to detect a stream's codec. */
    private static final int MAX_MAGIC = 8;
    /** The first bytes of the built-in streams, and of an uncompressed dump (zlib: any stream starting 78). */
    private static final List<java.util.Map.Entry<String, byte[]>> TAKEN_MAGIC = List.of(
            java.util.Map.entry("zlib stream", new byte[] {0x78}),
            java.util.Map.entry("gzip stream", new byte[] {0x1F, (byte) 0x8B}),
            java.util.Map.entry("bz2 stream", new byte[] {'B', 'Z', 'h'}),
            java.util.Map.entry("lzma stream", new byte[] {0x5D, 0, 0}),
            java.util.Map.entry("xz stream", new byte[] {(byte) 0xFD, '7', 'z', 'X', 'Z', 0}),
            java.util.Map.entry("lz4 stream", new byte[] {0x04, 0x22, 0x4D, 0x18}),
            java.util.Map.entry("zstd stream", new byte[] {0x28, (byte) 0xB5, 0x2F, (byte) 0xFD}),
            java.util.Map.entry("joblib4j dump", DumpFormat.MAGIC.clone()));
    /** Decoder memory for LZMA and xz streams, in KiB: 64 MiB dictionary (preset 9) plus the decoder's tables. */
    private static final int DICTIONARY_LIMIT_KIB = 72 * 1024;

    private final Codec codec;
    private final int level;
    /** For {@link Codec#CUSTOM}: the registered name and codec. */
    private final @Nullable String name;

    private final @Nullable CustomCodec custom;

    /** The registered name of a {@link Codec#CUSTOM} instance (set by the only constructor call that makes one). */
    private String customName() {
        return Objects.requireNonNull(name, "name of a custom codec");
    }

    /** The codec of a {@link Codec#CUSTOM} instance. */
    private CustomCodec customCodec() {
        return Objects.requireNonNull(custom, "custom codec");
    }

    private Compression(Codec codec, int level, @Nullable String name, @Nullable CustomCodec custom) {
        this.codec = codec;
        this.level = level;
        this.name = name;
        this.custom = custom;
    }

    /**
     * Registers {@code codec} under {@code name} in this JVM: {@code dump(value, file, compression)} with the
     * returned instance compresses with it, {@link #parse} and {@code Memory}'s {@code compression(name)} accept
     * the name, {@link #forFile} selects it for files ending in {@code "." + name}, and {@code load} recognises its
     * files by {@link CustomCodec#magic()}.
     *
     * @return the compression that names the codec
     * @throws IllegalArgumentException when the name is not made of letters, digits, '-' and '_', or is taken (by
     *                                  a built-in codec or an earlier registration), or when the magic is shorter
     *                                  than 2 or longer than 8 bytes or could be taken for another codec's
     */
    public static synchronized Compression register(String name, CustomCodec codec) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(codec, "codec");
        String n = name.toLowerCase(Locale.ROOT);
        if (!n.matches("[a-z][a-z0-9_-]*")) {
            throw new IllegalArgumentException("codec name '" + name + "' must start with a letter and hold only "
                    + "letters, digits, '-' and '_'");
        }
        if (List.of("none", "true", "false", "gz", "zst").contains(n)
                || Arrays.stream(Codec.values()).anyMatch(c -> c.label().equals(n))
                || REGISTERED.stream().anyMatch(r -> r.customName().equals(n))) {
            throw new IllegalArgumentException("codec name '" + name + "' is already taken (built in: none, zlib, "
                    + "gzip, bz2, lzma, xz, lz4, zstd; registered: "
                    + REGISTERED.stream().map(r -> r.customName()).toList()
                    + ")");
        }
        byte[] magic = Objects.requireNonNull(codec.magic(), "codec.magic()").clone();
        if (magic.length < 2 || magic.length > MAX_MAGIC) {
            throw new IllegalArgumentException(
                    "the magic of codec '" + name + "' has " + magic.length + " bytes, expected 2 to " + MAX_MAGIC);
        }
        for (var taken : TAKEN_MAGIC) {
            byte[] other = taken.getValue();
            int common = Math.min(other.length, magic.length);
            if (Arrays.equals(magic, 0, common, other, 0, common)) {
                throw new IllegalArgumentException("the magic " + hex(magic) + " of codec '" + name + "' could be "
                        + "taken for the start of a " + taken.getKey() + " (" + hex(other) + "); choose other bytes");
            }
        }
        for (Compression r : REGISTERED) {
            byte[] other = r.customCodec().magic();
            int common = Math.min(other.length, magic.length);
            if (Arrays.equals(magic, 0, common, other, 0, common)) {
                throw new IllegalArgumentException("the magic " + hex(magic) + " of codec '" + name
                        + "' clashes with the magic " + hex(other) + " of codec '" + r.customName() + "'");
            }
        }
        CustomCodec fixed = new CustomCodec() {
            @Override
            public byte[] magic() {
                return magic.clone();
            }

            @Override
            public OutputStream compress(OutputStream out) throws IOException {
                return codec.compress(out);
            }

            @Override
            public InputStream decompress(InputStream in) throws IOException {
                return codec.decompress(in);
            }

            @Override
            public String toString() {
                return codec.toString();
            }
        };
        Compression c = new Compression(Codec.CUSTOM, 0, n, fixed);
        REGISTERED.add(c);
        return c;
    }

    private static String hex(byte[] bytes) {
        StringBuilder sb = new StringBuilder();
        for (byte b : bytes) {
            sb.append(sb.isEmpty() ? "" : " ").append(String.format("%02x", b & 0xFF));
        }
        return sb.toString();
    }

    private static Optional<Compression> registeredFor(byte[] head, int length) {
        for (Compression r : REGISTERED) {
            byte[] magic = r.customCodec().magic();
            if (length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /** No compression: arrays stay raw and memory-mappable. */
    public static Compression none() {
        return NONE;
    }

    /** The codec used when compression is asked for without naming one: zstd level 3. */
    public static Compression byDefault() {
        return zstd(3);
    }

    /** zlib at {@code level} 1 (fastest) to 9 (smallest). */
    public static Compression zlib(int level) {
        return of(Codec.ZLIB, level);
    }

    /** zlib at level 3 (joblib's default). */
    public static Compression zlib() {
        return zlib(3);
    }

    /** gzip at {@code level} 1-9. */
    public static Compression gzip(int level) {
        return of(Codec.GZIP, level);
    }

    /** gzip at level 3. */
    public static Compression gzip() {
        return gzip(3);
    }

    /** bzip2 with a block size of {@code level} x 100 kB, 1-9. */
    public static Compression bz2(int level) {
        return of(Codec.BZ2, level);
    }

    /** bzip2 at level 3. */
    public static Compression bz2() {
        return bz2(3);
    }

    /** LZMA ("alone" format) at preset {@code level} 0-9. */
    public static Compression lzma(int level) {
        return of(Codec.LZMA, level);
    }

    /** LZMA at preset 3. */
    public static Compression lzma() {
        return lzma(3);
    }

    /** xz at preset {@code level} 0-9. */
    public static Compression xz(int level) {
        return of(Codec.XZ, level);
    }

    /** xz at preset 3. */
    public static Compression xz() {
        return xz(3);
    }

    /** LZ4 frame format (fast compressor, 4 MB blocks). */
    public static Compression lz4() {
        return of(Codec.LZ4, 0);
    }

    /** Zstandard at {@code level} 1-22. */
    public static Compression zstd(int level) {
        return of(Codec.ZSTD, level);
    }

    /** Zstandard at level 3. */
    public static Compression zstd() {
        return zstd(3);
    }

    /**
     * The codec at {@code level}.
     *
     * @throws IllegalArgumentException when the level is outside the codec's range, naming both
     */
    public static Compression of(Codec codec, int level) {
        Objects.requireNonNull(codec, "codec");
        if (codec == Codec.NONE) {
            return NONE;
        }
        if (codec == Codec.CUSTOM) {
            throw new IllegalArgumentException("a custom codec is named by the Compression that register(name, codec) "
                    + "returned, or by parse(name)");
        }
        if (level < codec.minLevel || level > codec.maxLevel) {
            throw new IllegalArgumentException("compression level " + level + " is out of range for " + codec.label()
                    + " (expected " + codec.minLevel + ".." + codec.maxLevel + ")");
        }
        return new Compression(codec, level, null, null);
    }

    /** The codec at its default level (3 for all that have levels). */
    public static Compression of(Codec codec) {
        return of(codec, codec.defaultLevel);
    }

    /**
     * Parses {@code "zstd"}, {@code "zstd:9"}, {@code "zlib:3"}, {@code "lz4"}, {@code "none"}, {@code "true"}
     * (= {@link #byDefault()}), {@code "false"}, or a digit as joblib's {@code compress=N} ({@code "0"} none,
     * {@code "1"}..{@code "9"} zlib at that level).
     *
     * @throws IllegalArgumentException for an unknown codec or a bad level, naming the text
     */
    public static Compression parse(String text) {
        Objects.requireNonNull(text, "text");
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (t.equals("true")) {
            return byDefault();
        }
        if (t.equals("false") || t.equals("none") || t.equals("0")) {
            return NONE;
        }
        if (t.length() == 1 && t.charAt(0) >= '1' && t.charAt(0) <= '9') {
            return zlib(t.charAt(0) - '0'); // joblib's compress=1..9 means zlib at that level
        }
        String name = t;
        Integer level = null;
        int colon = t.indexOf(':');
        if (colon >= 0) {
            name = t.substring(0, colon);
            try {
                level = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad compression level in '" + text + "' (expected codec:level)");
            }
        }
        if (name.equals("gz")) {
            name = "gzip";
        } else if (name.equals("zst")) {
            name = "zstd";
        }
        for (Codec c : Codec.values()) {
            if (c != Codec.CUSTOM && c.label().equals(name)) {
                return level == null ? of(c) : of(c, level);
            }
        }
        for (Compression r : REGISTERED) {
            if (r.customName().equals(name)) {
                if (level != null) {
                    throw new IllegalArgumentException(
                            "registered codec '" + name + "' takes no level: '" + text + "'");
                }
                return r;
            }
        }
        throw new IllegalArgumentException("unknown compression '" + text
                + "' (expected none, zlib, gzip, bz2, lzma, xz, lz4 or zstd, optionally with :level"
                + (REGISTERED.isEmpty()
                        ? ""
                        : ", or a registered codec: "
                                + REGISTERED.stream().map(r -> r.customName()).toList())
                + ")");
    }

    /** The codec that the extension of {@code file} selects ({@code data.pkl.zst} -> zstd), if any. */
    public static Optional<Compression> forFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (Codec c : Codec.values()) {
            if (c != Codec.NONE && c != Codec.CUSTOM && name.endsWith(c.extension)) {
                return Optional.of(of(c));
            }
        }
        for (Compression r : REGISTERED) {
            if (name.endsWith(r.extension())) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * The codec whose magic bytes start {@code head} (at least 8 bytes for a sure answer), or empty for anything
     * else (including an uncompressed dump). {@link Codec#CUSTOM} for a registered codec:
     * {@link #detectCompression(byte[])} says which one.
     */
    public static Optional<Codec> detect(byte[] head) {
        Optional<Codec> builtIn = detectBuiltIn(head);
        if (builtIn.isPresent()) {
            return builtIn;
        }
        return registeredFor(head, head.length).map(Compression::codec);
    }

    /** As {@link #detect(byte[])}, with the registered codec itself (built-in codecs at their default level). */
    public static Optional<Compression> detectCompression(byte[] head) {
        Optional<Codec> builtIn = detectBuiltIn(head);
        if (builtIn.isPresent()) {
            return builtIn.map(Compression::of);
        }
        return registeredFor(head, head.length);
    }

    private static Optional<Codec> detectBuiltIn(byte[] head) {
        if (head.length >= 4
                && (head[0] & 0xFF) == 0x28
                && (head[1] & 0xFF) == 0xB5
                && (head[2] & 0xFF) == 0x2F
                && (head[3] & 0xFF) == 0xFD) {
            return Optional.of(Codec.ZSTD);
        }
        if (head.length >= 4 && head[0] == 0x04 && head[1] == 0x22 && head[2] == 0x4D && head[3] == 0x18) {
            return Optional.of(Codec.LZ4);
        }
        if (head.length >= 6
                && (head[0] & 0xFF) == 0xFD
                && head[1] == '7'
                && head[2] == 'z'
                && head[3] == 'X'
                && head[4] == 'Z'
                && head[5] == 0) {
            return Optional.of(Codec.XZ);
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x1F && (head[1] & 0xFF) == 0x8B) {
            return Optional.of(Codec.GZIP);
        }
        if (head.length >= 3 && head[0] == 'B' && head[1] == 'Z' && head[2] == 'h') {
            return Optional.of(Codec.BZ2);
        }
        if (head.length >= 3 && head[0] == 0x5D && head[1] == 0 && head[2] == 0) {
            return Optional.of(Codec.LZMA);
        }
        if (head.length >= 2 && (head[0] & 0xFF) == 0x78 && (((head[0] & 0xFF) << 8) | (head[1] & 0xFF)) % 31 == 0) {
            return Optional.of(Codec.ZLIB);
        }
        return Optional.empty();
    }

    /** The codec. */
    public Codec codec() {
        return codec;
    }

    /** The name a registered codec was registered with; empty for the built-in codecs. */
    public Optional<String> registeredName() {
        return Optional.ofNullable(name);
    }

    /** The level (0 for NONE, LZ4 and registered codecs). */
    public int level() {
        return level;
    }

    /** True for {@link #none()}. */
    public boolean isNone() {
        return codec == Codec.NONE;
    }

    /** The codec's file extension ({@code .zst}; {@code "." + name} for a registered codec). */
    public String extension() {
        return custom != null ? "." + name : codec.extension;
    }

    /** Wraps {@code out} in this codec's compressing stream; closing the result finishes the stream and closes out. */
    public OutputStream compress(OutputStream out) throws IOException {
        if (codec == Codec.LZ4 || codec == Codec.ZSTD) {
            io.joblib4j.internal.NativeLibraries.prepare(); // no copy of the native library left in /tmp
        }
        return switch (codec) {
            case NONE -> out;
            case ZLIB ->
                new DeflaterOutputStream(out, new Deflater(level), 1 << 16) {
                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } finally {
                            def.end();
                        }
                    }
                };
            case GZIP ->
                new GZIPOutputStream(out, 1 << 16) {
                    {
                        def.setLevel(level);
                    }
                };
            case BZ2 -> new BZip2CompressorOutputStream(out, level);
            case LZMA -> new LZMAOutputStream(out, new LZMA2Options(level), -1);
            case XZ -> new XZOutputStream(out, new LZMA2Options(level));
            case LZ4 -> new LZ4FrameOutputStream(out, LZ4FrameOutputStream.BLOCKSIZE.SIZE_4MB);
            case ZSTD -> new ZstdOutputStreamNoFinalizer(out, level);
            case CUSTOM -> customCodec().compress(out);
        };
    }

    /**
     * Wraps {@code in} in the decompressing stream of {@code codec}. Memory for LZMA/xz dictionaries is capped at
     * 72 MiB (the 64 MiB dictionary of the largest preset, 9, and the decoder's tables), so a corrupt header
     * cannot make the decoder allocate more. For {@link Codec#CUSTOM}, the registered codec is chosen from the
     * magic bytes at the start of {@code in}.
     *
     * @throws IOException for {@link Codec#CUSTOM} when {@code in} starts with no registered codec's magic
     */
    public static InputStream decompress(Codec codec, InputStream in) throws IOException {
        if (codec == Codec.CUSTOM) {
            InputStream marked = in.markSupported() ? in : new BufferedInputStream(in, 1 << 16);
            marked.mark(MAX_MAGIC);
            byte[] head = marked.readNBytes(MAX_MAGIC);
            marked.reset();
            Compression c = registeredFor(head, head.length)
                    .orElseThrow(() -> new IOException("the stream starts "
                            + "with " + hex(head) + ", the magic of no registered codec (registered: "
                            + REGISTERED.stream()
                                    .map(r -> r.customName() + " "
                                            + hex(r.customCodec().magic()))
                                    .toList() + ")"));
            return c.customCodec().decompress(marked);
        }
        if (codec == Codec.LZ4 || codec == Codec.ZSTD) {
            io.joblib4j.internal.NativeLibraries.prepare();
        }
        return switch (codec) {
            case NONE -> in;
            case ZLIB -> new InflaterInputStream(in, new Inflater(), 1 << 16);
            case GZIP -> new GZIPInputStream(in, 1 << 16);
            case BZ2 -> new BZip2CompressorInputStream(in, true);
            case LZMA -> new LZMAInputStream(in, DICTIONARY_LIMIT_KIB);
            case XZ -> new XZInputStream(in, DICTIONARY_LIMIT_KIB);
            case LZ4 -> new LZ4FrameInputStream(in);
            case ZSTD -> new ZstdInputStreamNoFinalizer(in);
            case CUSTOM -> throw new AssertionError("handled above");
        };
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Compression c && c.codec == codec && c.level == level && c.custom == custom;
    }

    @Override
    public int hashCode() {
        return codec.hashCode() * 31 + level;
    }

    /** {@code zstd:3}, {@code lz4}, {@code none}; a registered codec's name. */
    @Override
    public String toString() {
        if (custom != null) {
            return customName();
        }
        return codec == Codec.NONE || codec == Codec.LZ4 ? codec.label() : codec.label() + ":" + level;
    }
}
