package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Task;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Worker JVMs that use the native codecs and are killed leave no copy of the codecs' libraries behind. */
class NativeLibraryLeakTest {

    /** Uses lz4-java and zstd-jni natively (not through joblib4j), returns its pid and the libraries it mapped. */
    static Task<List<String>> useNativeCodecs() {
        return () -> {
            byte[] data = new byte[1 << 16];
            net.jpountz.lz4.LZ4Factory.nativeInstance().fastCompressor().compress(data);
            com.github.luben.zstd.Zstd.compress(data, 3);
            List<String> libs;
            try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
                libs = maps.filter(l -> l.contains("lz4") || l.contains("zstd"))
                        .map(l -> l.substring(l.indexOf('/')))
                        .distinct()
                        .toList();
            }
            return Stream.concat(Stream.of(Long.toString(ProcessHandle.current().pid())), libs.stream())
                    .toList();
        };
    }

    @Test
    void killedWorkerThatLoadedLz4AndZstd_leavesNoLibraryCopyInItsTempFolder(@TempDir Path tmp) throws Exception {
        try (ProcessPool own = ProcessPool.builder()
                .workers(1)
                .jvmOptions("-Djava.io.tmpdir=" + tmp)
                .build()) {
            // workers started in the first moments after a JVM's first pool is built, before the cached copies are
            // known, unpack the libraries as they do by default: start this one after that
            awaitNativeLibsKnown();
            List<String> got = own.submit(useNativeCodecs()).get(60, TimeUnit.SECONDS);
            long pid = Long.parseLong(got.getFirst());
            List<String> libs = got.subList(1, got.size());
            assertThat(libs)
                    .as("the worker loaded both native libraries")
                    .anyMatch(l -> l.contains("lz4"))
                    .anyMatch(l -> l.contains("zstd"));
            ProcessHandle worker = ProcessHandle.of(pid).orElseThrow();
            worker.destroyForcibly(); // SIGKILL: no deleteOnExit runs
            worker.onExit().get(30, TimeUnit.SECONDS);
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString()).toList())
                        .as("copies of native libraries left by the killed worker (it mapped " + libs + ")")
                        .noneMatch(n -> n.contains("lz4") || n.contains("zstd"));
            }
            assertThat(libs)
                    .as("libraries are mapped from the per-user cache, not the temp folder")
                    .noneMatch(l -> l.startsWith(tmp.toString()));
        }
    }

    @Test
    void parentUsingLz4AndZstdThroughCompression_mapsTheCachedCopies_notTempFiles() throws Exception {
        for (io.joblib4j.persist.Compression c :
                List.of(io.joblib4j.persist.Compression.lz4(), io.joblib4j.persist.Compression.zstd())) {
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            try (java.io.OutputStream out = c.compress(bytes)) {
                out.write(new byte[1 << 16]);
            }
        }
        String tmp = Path.of(System.getProperty("java.io.tmpdir")).toRealPath().toString();
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            List<String> libs = maps.filter(l -> l.contains("liblz4") || l.contains("libzstd"))
                    .map(l -> l.substring(l.indexOf('/')))
                    .distinct()
                    .toList();
            assertThat(libs)
                    .anyMatch(l -> l.contains("lz4"))
                    .anyMatch(l -> l.contains("zstd"))
                    .noneMatch(l -> l.startsWith(tmp + "/"));
        }
    }

    static void awaitNativeLibsKnown() throws InterruptedException {
        long known = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!WorkerPool.nativeLibsKnown() && System.nanoTime() < known) {
            Thread.sleep(10);
        }
    }
}
