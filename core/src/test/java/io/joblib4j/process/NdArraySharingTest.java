package io.joblib4j.process;

import static org.assertj.core.api.Assertions.assertThat;

import io.joblib4j.array.DType;
import io.joblib4j.array.MmapMode;
import io.joblib4j.array.NdArray;
import io.joblib4j.array.Npy;
import io.joblib4j.parallel.Parallel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NdArrays reach worker processes as memory mappings, never copies, and read-write mappings are shared both ways. */
class NdArraySharingTest {

    static String whereAndSum(NdArray a, int from) {
        double s = 0;
        for (long i = from; i < a.size(); i++) {
            s += a.getFlatDouble(i);
        }
        return a.file().map(p -> "mapped " + p.getFileName()).orElse("heap") + " " + s;
    }

    static int setTo(NdArray a, int i) {
        a.setFlatDouble(i, i * 10.0);
        return i;
    }

    @Test
    void largeHeapNdArray_isMappedByWorkers_fromOneFileOfTheCall(@TempDir Path temp) throws Exception {
        double[] data = new double[400_000];
        java.util.Arrays.fill(data, 1.0);
        NdArray nd = NdArray.wrap(data);
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .tempFolder(temp)
                .build()) {
            List<String> out = p.map(i -> whereAndSum(nd, i), List.of(0, 100_000, 200_000, 300_000));
            assertThat(out)
                    .containsExactly(
                            "mapped array-0.bin 400000.0",
                            "mapped array-0.bin 300000.0",
                            "mapped array-0.bin 200000.0",
                            "mapped array-0.bin 100000.0");
        }
        try (var files = Files.list(temp)) {
            assertThat(files.toList())
                    .as("the call's folder is removed at the end")
                    .isEmpty();
        }
    }

    @Test
    void callEnd_removesTheCallsFiles_andWorkersUnmapThem_evenWhileTheParallelStaysOpen(@TempDir Path temp)
            throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.exists(Path.of("/proc/self/maps")), "needs /proc/<pid>/maps (Linux) to see a worker's mappings");
        NdArray nd = NdArray.wrap(new double[400_000]);
        try (ProcessPool own = ProcessPool.builder().build();
                Parallel p = Parallel.builder()
                        .nJobs(1)
                        .backend(own.backend())
                        .tempFolder(temp)
                        .build()) {
            for (int call = 0; call < 2; call++) {
                assertThat(p.map(i -> whereAndSum(nd, i), List.of(0))).containsExactly("mapped array-0.bin 0.0");
                try (var files = Files.list(temp)) {
                    assertThat(files.toList())
                            .as("the call's folder is removed when the call ends")
                            .isEmpty();
                }
                long pid = own.workerPids().getFirst();
                long deadline = System.nanoTime() + 10_000_000_000L;
                while (Files.readString(Path.of("/proc/" + pid + "/maps")).contains("array-0.bin")
                        && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                assertThat(Files.readString(Path.of("/proc/" + pid + "/maps")))
                        .as("the deleted file's memory is given back")
                        .doesNotContain("array-0.bin");
            }
        }
    }

    @Test
    void smallNdArray_travelsByValue() {
        NdArray nd = NdArray.wrap(new double[] {1, 2, 3});
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            assertThat(p.map(i -> whereAndSum(nd, i), List.of(0, 1))).containsExactly("heap 6.0", "heap 5.0");
        }
    }

    @Test
    void fileMappedNdArray_readWrite_writesInWorkersVisibleToParent(@TempDir Path temp) throws Exception {
        Path file = temp.resolve("shared.npy");
        NdArray nd = Npy.create(file, DType.FLOAT64, 16);
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .mmapMode(MmapMode.READ_WRITE)
                .build()) {
            List<Integer> done =
                    p.map(i -> setTo(nd, i), IntStream.range(0, 16).boxed().toList());
            assertThat(done).hasSize(16);
        }
        for (int i = 0; i < 16; i++) {
            assertThat(nd.getFlatDouble(i)).isEqualTo(i * 10.0);
        }
        try (var files = Files.list(temp)) {
            assertThat(files.toList()).hasSize(1);
        }
    }

    @Test
    void fileMappedNdArray_travelsInTheModeItWasMappedIn(@TempDir Path temp) throws Exception {
        NdArray writable = Npy.create(temp.resolve("rw.npy"), DType.FLOAT64, 16);
        assertThat(writable.mappedRef().orElseThrow().mode()).isEqualTo(MmapMode.READ_WRITE);
        try (Parallel p = Parallel.builder().nJobs(2).backend("processes").build()) {
            // No mmapMode on the call: its default (read-only) is for arrays the call writes to files itself.
            assertThat(p.map(
                            i -> setTo(writable, i),
                            IntStream.range(0, 16).boxed().toList()))
                    .hasSize(16);
        }
        for (int i = 0; i < 16; i++) {
            assertThat(writable.getFlatDouble(i)).isEqualTo(i * 10.0);
        }

        NdArray readOnly = Npy.map(temp.resolve("rw.npy"), MmapMode.READ_ONLY);
        try (Parallel p = Parallel.builder()
                .nJobs(2)
                .backend("processes")
                .mmapMode(MmapMode.READ_WRITE)
                .build()) {
            assertThat(p.map(i -> readOnlyInWorker(readOnly), List.of(0, 1))).containsOnly(true);
        }
    }

    static boolean readOnlyInWorker(NdArray a) {
        return a.isReadOnly();
    }
}
