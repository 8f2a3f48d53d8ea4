package io.joblib4j.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.module.ModuleReader;
import java.lang.module.ResolvedModule;
import java.lang.reflect.Field;
import java.net.JarURLConnection;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import org.jspecify.annotations.Nullable;

/**
 * Loads the native libraries of lz4-java and zstd-jni from a per-user cache folder
 * ({@code $XDG_CACHE_HOME/joblib4j/native}, else {@code ~/.cache/joblib4j/native}, 0700) instead of letting each
 * library unpack a fresh copy into {@code java.io.tmpdir} in every JVM: those copies are deleted at a normal exit only,
 * so every JVM killed (worker JVMs are killed routinely: timeouts, aborts, crashes) left 160 KB (lz4) and 1 MB
 * (zstd) in {@code /tmp}. A library is unpacked there once (written to a temporary name, then renamed) and loaded by
 * path: zstd-jni through its {@code ZstdNativePath} property, lz4-java by loading the file and marking its loader
 * done. Where that is not possible (no such folder, another OS, another class loader) the libraries load as they
 * would without this.
 */
public final class NativeLibraries {
    /** The environment variable by which a parent hands its cached copies to its worker JVMs. */
    public static final String ENV = "JOBLIB4J_NATIVE_LIBS";

    private static volatile boolean prepared;
    private static volatile @Nullable Path lz4Lib;
    private static volatile @Nullable Path zstdLib;

    private NativeLibraries() {}

    /**
     * The value of {@link #ENV} for a worker JVM, {@code <lz4 library>:<zstd library>} (either may be empty), after
     * {@link #prepare()}; empty if nothing is cached.
     */
    public static String forWorkers() {
        prepare();
        Path l = lz4Lib;
        Path z = zstdLib;
        return l == null && z == null ? "" : (l == null ? "" : l.toString()) + ":" + (z == null ? "" : z.toString());
    }

    /**
     * In a worker JVM: loads the copies its parent named in {@link #ENV} (lz4-java at once, zstd-jni through its
     * property when first used), which costs a few milliseconds at start, not the unpacking. Without the variable,
     * nothing is done.
     */
    public static void prepareFromParent() {
        String v = System.getenv(ENV);
        if (v == null || v.indexOf(':') < 0) {
            return;
        }
        synchronized (NativeLibraries.class) {
            if (prepared) {
                return;
            }
            prepared = true;
            String lz4 = v.substring(0, v.indexOf(':'));
            String zstd = v.substring(v.indexOf(':') + 1);
            if (!zstd.isEmpty() && System.getProperty("ZstdNativePath") == null && Files.isRegularFile(Path.of(zstd))) {
                System.setProperty("ZstdNativePath", zstd);
                zstdLib = Path.of(zstd);
            }
            if (!lz4.isEmpty() && Files.isRegularFile(Path.of(lz4))) {
                try {
                    loadLz4(Path.of(lz4));
                } catch (Throwable t) {
                    // lz4-java unpacks its own copy, as without this
                }
            }
        }
    }

    /** Prepares both libraries; cheap after the first call. Call before the first use of lz4-java or zstd-jni. */
    public static void prepare() {
        if (prepared) {
            return;
        }
        synchronized (NativeLibraries.class) {
            if (prepared) {
                return;
            }
            prepared = true;
            if (!System.getProperty("os.name", "")
                    .toLowerCase(java.util.Locale.ROOT)
                    .contains("linux")) {
                return;
            }
            Path cache = cacheFolder();
            if (cache == null) {
                return;
            }
            try {
                prepareZstd(cache);
            } catch (Throwable t) {
                // zstd-jni unpacks its own copy, as without this
            }
            try {
                prepareLz4(cache);
            } catch (Throwable t) {
                // lz4-java unpacks its own copy, as without this
            }
        }
    }

    /** The cache folder, created 0700 if needed; null if it is not a folder of this user's only. */
    static @Nullable Path cacheFolder() {
        return userCacheFolder("native");
    }

    /**
     * The folder {@code name} of joblib4j's per-user cache ({@code $XDG_CACHE_HOME/joblib4j/NAME}, else
     * {@code ~/.cache/joblib4j/NAME}), created 0700 if needed; null if it is not a folder of this user's only.
     */
    public static @Nullable Path userCacheFolder(String name) {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path root;
        if (xdg != null && !xdg.isBlank() && Path.of(xdg).isAbsolute()) {
            root = Path.of(xdg);
        } else {
            String home = System.getProperty("user.home");
            if (home == null || home.isBlank() || home.equals("?")) {
                return null;
            }
            root = Path.of(home, ".cache");
        }
        Path dir = root.resolve("joblib4j").resolve(name);
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException e) {
                    // made by another JVM meanwhile
                }
            }
            PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            Path self = Path.of("/proc/self");
            boolean mine = !Files.exists(self) || a.owner().equals(Files.getOwner(self));
            Set<PosixFilePermission> p = a.permissions();
            boolean privateToMe =
                    !p.contains(PosixFilePermission.GROUP_WRITE) && !p.contains(PosixFilePermission.OTHERS_WRITE);
            return a.isDirectory() && mine && privateToMe ? dir : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    @SuppressWarnings("restricted") // loads the codecs' own native library; the JVM enables native access
    private static void prepareZstd(Path cache) throws Exception {
        if (System.getProperty("ZstdNativePath") != null) {
            return; // the application chose a library
        }
        Class<?> nativeClass = Class.forName("com.github.luben.zstd.util.Native");
        String version = (String) Class.forName("com.github.luben.zstd.util.ZstdVersion")
                .getField("VERSION")
                .get(null);
        String resource = "/linux/" + System.getProperty("os.arch") + "/libzstd-jni-" + version + ".so";
        Path lib = unpack(nativeClass, resource, cache, "libzstd-jni-" + version);
        if (lib != null) {
            System.load(lib.toString()); // fails here, not in zstd-jni, if the file cannot be loaded (noexec)
            System.setProperty("ZstdNativePath", lib.toString());
            zstdLib = lib;
        }
    }

    private static void prepareLz4(Path cache) throws Exception {
        Class<?> nativeClass = Class.forName("net.jpountz.util.Native");
        String resource = "/net/jpountz/util/linux/" + System.getProperty("os.arch") + "/liblz4-java.so";
        Path lib = unpack(nativeClass, resource, cache, "liblz4-java");
        if (lib != null) {
            lz4Lib = lib; // for workers, even if lz4-java had loaded its own copy here already
            loadLz4(lib);
        }
    }

    /** Loads {@code lib} as lz4-java's library and marks its loader done; false if lz4-java had loaded already. */
    @SuppressWarnings("restricted") // loads the codecs' own native library; the JVM enables native access
    private static boolean loadLz4(Path lib) throws Exception {
        Class<?> nativeClass = Class.forName("net.jpountz.util.Native");
        if (nativeClass.getClassLoader() != NativeLibraries.class.getClassLoader()) {
            return false; // a library loaded here would not serve lz4-java's classes
        }
        Field loaded = nativeClass.getDeclaredField("loaded");
        loaded.setAccessible(true);
        synchronized (nativeClass) { // lz4-java's Native.load() is static synchronized
            if (loaded.getBoolean(null)) {
                return false;
            }
            System.load(lib.toString());
            loaded.setBoolean(null, true);
            return true;
        }
    }

    /**
     * The URL of {@code resource} (an absolute name) in {@code owner}'s jar or module; null if there is none. In a
     * named module it is read through the module's reader: {@code Class.getResource} from another module does not
     * find resources of packages that are not open to it, and the libraries' folders are such packages.
     */
    static @Nullable URL resource(Class<?> owner, String resource) throws IOException {
        Module module = owner.getModule();
        ModuleLayer layer = module.getLayer();
        if (module.isNamed() && layer != null) {
            Optional<ResolvedModule> resolved = layer.configuration().findModule(module.getName());
            if (resolved.isPresent()) {
                try (ModuleReader reader = resolved.get().reference().open()) {
                    Optional<URI> found = reader.find(resource.substring(1));
                    if (found.isPresent()) {
                        return found.get().toURL();
                    }
                }
            }
        }
        return owner.getResource(resource);
    }

    /**
     * The cached copy of {@code resource} of {@code owner}'s jar, unpacked if missing or of another size; null if
     * there is no such resource. The copy's name carries the library's CRC-32, so one copy serves every jar that
     * holds the same library, wherever the jar lives (an application moved or unpacked anew adds no copy).
     */
    private static @Nullable Path unpack(Class<?> owner, String resource, Path cache, String stem) throws IOException {
        URL url = resource(owner, resource);
        if (url == null) {
            return null;
        }
        URLConnection conn = url.openConnection();
        conn.setUseCaches(false);
        long size;
        long checksum;
        if (conn instanceof JarURLConnection jar && jar.getJarEntry().getCrc() != -1) {
            size = jar.getJarEntry().getSize();
            checksum = jar.getJarEntry().getCrc(); // from the jar's directory: nothing to read
        } else {
            CRC32 crc = new CRC32();
            try (InputStream in = url.openStream()) {
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; total += n) {
                    crc.update(buf, 0, n);
                }
                size = total;
            }
            checksum = crc.getValue();
        }
        Path lib = cache.resolve(stem + "-" + Long.toHexString(checksum) + ".so");
        if (size > 0 && Files.isRegularFile(lib, LinkOption.NOFOLLOW_LINKS) && Files.size(lib) == size) {
            return lib;
        }
        Path tmp = cache.resolve("." + stem + "-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".tmp");
        try (InputStream in = conn.getInputStream();
                OutputStream out = Files.newOutputStream(Files.createFile(
                        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))))) {
            in.transferTo(out);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        try {
            Files.move(tmp, lib, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
        return lib;
    }
}
