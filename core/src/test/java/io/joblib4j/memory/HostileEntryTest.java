package io.joblib4j.memory;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.Joblib;
import io.joblib4j.array.NdArray;
import io.joblib4j.persist.Compression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cache entry replaced by a tiny file that claims a huge array: a corrupt entry, reported and recomputed. */
class HostileEntryTest {
    static final AtomicInteger CALLS = new AtomicInteger();

    @TempDir
    Path dir;

    static byte[] make(int n) {
        CALLS.incrementAndGet();
        return new byte[n];
    }

    /** A zstd dump of one int8 NdArray whose header and table claim {@code claimed} bytes (valid CRCs). */
    static byte[] zstdDumpClaiming(Path scratch, long claimed) throws IOException {
        Joblib.dump(NdArray.wrap(new byte[64]), scratch, Compression.none());
        byte[] b = Files.readAllBytes(scratch);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long offset = bb.getLong(64 + 8); // first array table entry: data offset, byte length, shape[0]
        bb.putLong(64 + 16, claimed);
        bb.putLong(64 + 24, claimed);
        bb.putLong(40, offset + claimed); // total length
        CRC32 meta = new CRC32();
        meta.update(b, 64, (int) bb.getLong(16));
        bb.putInt(56, (int) meta.getValue());
        CRC32 head = new CRC32();
        head.update(b, 0, 60);
        bb.putInt(60, (int) head.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream z = Compression.zstd().compress(out)) {
            z.write(b);
        }
        return out.toByteArray();
    }

    /** Heap bytes allocated by this thread so far ({@code com.sun.management.ThreadMXBean}, by reflection). */
    static long allocatedByThisThread() throws ReflectiveOperationException {
        Object bean = Class.forName("java.lang.management.ManagementFactory")
                .getMethod("getThreadMXBean")
                .invoke(null);
        return (long) Class.forName("com.sun.management.ThreadMXBean")
                .getMethod("getThreadAllocatedBytes", long.class)
                .invoke(bean, Thread.currentThread().threadId());
    }

    @Test
    void cachedEntryClaimingHugeArray_isTreatedAsCorruptAndRecomputed() throws Exception {
        CALLS.set(0);
        Memory memory = Memory.builder()
                .location(dir.resolve("cache"))
                .compression(Compression.zstd())
                .verbose(0)
                .build();
        CachedFunction<Integer, byte[]> f = memory.cache(HostileEntryTest::make);
        f.apply(1000);
        Path out;
        try (Stream<Path> s = Files.walk(dir.resolve("cache"))) {
            out = s.filter(p -> p.getFileName().toString().equals("output"))
                    .findFirst()
                    .orElseThrow();
        }
        byte[] hostile = zstdDumpClaiming(dir.resolve("scratch"), 1_900_000_000L);
        assertThat(hostile.length).isLessThan(400);
        Files.write(out, hostile);
        String[] err = new String[1];
        Throwable[] thrown = new Throwable[1];
        long before = allocatedByThisThread();
        err[0] = MemoryTest.captureErr(() -> {
            try {
                assertThat(f.apply(1000)).hasSize(1000);
            } catch (Error e) {
                thrown[0] = e;
            }
        });
        long allocated = allocatedByThisThread() - before;
        assertThat(thrown[0]).as("an Error escaped the cache").isNull();
        // on a -Xmx512m JVM, allocating what the entry claims would be an OutOfMemoryError escaping the cache
        assertThat(allocated)
                .as("bytes allocated by the lookup and the recomputation")
                .isLessThan(100L << 20);
        assertThat(CALLS.get()).isEqualTo(2);
        assertThat(err[0])
                .contains("Cannot load the cached result")
                .contains(out.toString())
                .contains("corrupt")
                .contains("at offset 40");
    }

    @Test
    void honestResultOfZeros_compressedFarBeyondTheUntrustedRatio_isAHit() {
        CALLS.set(0);
        Memory memory = Memory.builder()
                .location(dir.resolve("zeros"))
                .compression(Compression.zstd())
                .verbose(0)
                .build();
        CachedFunction<Integer, byte[]> f = memory.cache(HostileEntryTest::make);
        int n = 96 << 20; // over the 64 MiB grace: zstd packs it far more than LoadOptions' default ratio allows
        assertThat(f.apply(n)).hasSize(n);
        String err = MemoryTest.captureErr(() -> assertThat(f.apply(n)).hasSize(n));
        assertThat(CALLS.get()).as("computations").isEqualTo(1);
        assertThat(err).doesNotContain("Cannot load");
    }
}
