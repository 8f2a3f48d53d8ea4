package io.joblib4j.cli.demo;

import io.joblib4j.backend.Backend;
import io.joblib4j.process.ProcessPool;
import java.util.concurrent.Callable;

/**
 * The process backend's examples: joblib's memmap example (10^7 doubles, windows of 5*10^5 with step 10^5, each task
 * sleeping 10 ms and taking its window's mean) sequentially, on two threads and on two worker processes sharing the
 * array; and the "big object sent to every task" pitfall (a 100 MB array used by 50 tasks) copied into every batch,
 * shared through /dev/shm, and on threads. Each row gives the time and the added peak memory (PSS) of the parent and
 * its workers together.
 */
public final class ProcessDemo implements DemoSection {
    private static final int BIG_MB = 100;
    private static final int BIG_TASKS = 50;

    /** The name of the memory chart of the big-object pitfall, naive (copied) vs shared ({@code --report DIR}). */
    public static final String PITFALL_CHART = "demo-processes-big-object-memory";

    private MemoryChart chart;

    @Override
    public String title() {
        return "Processes";
    }

    @Override
    public void run(DemoReport report) throws Exception {
        report.section(title());
        String memmap = "memmap example (96 windows)";
        add(report, memmap, "sequential", () -> DocExamples.memmapExample(Backend.sequential(), 1, null));
        add(report, memmap, "threads, nJobs=2", () -> DocExamples.memmapExample(Backend.threads(), 2, null));
        try (ProcessPool pool = ProcessPool.builder().build()) {
            add(report, memmap, "processes, nJobs=2, shared", () -> DocExamples.memmapExample(pool.backend(), 2, pool));
        }

        String pitfall = BIG_MB + " MB object x " + BIG_TASKS + " tasks";
        chart = report.memoryChart(
                PITFALL_CHART,
                "The big-object pitfall (" + BIG_MB + " MB array, " + BIG_TASKS
                        + " tasks, nJobs=2): memory of parent and workers over time",
                "added peak PSS so far");
        add(
                report,
                pitfall,
                "processes, shared double[]",
                () -> DocExamples.bigObjectPitfall(DocExamples.PitfallVariant.SHARED_JAVA_ARRAY, BIG_MB, BIG_TASKS));
        add(
                report,
                pitfall,
                "processes, shared NdArray",
                () -> DocExamples.bigObjectPitfall(DocExamples.PitfallVariant.SHARED_NDARRAY, BIG_MB, BIG_TASKS));
        add(
                report,
                pitfall,
                "threads",
                () -> DocExamples.bigObjectPitfall(DocExamples.PitfallVariant.THREADS, BIG_MB, BIG_TASKS));
        add(
                report,
                pitfall,
                "processes, copied per batch",
                () -> DocExamples.bigObjectPitfall(DocExamples.PitfallVariant.COPIED, BIG_MB, BIG_TASKS));
    }

    private void add(DemoReport report, String example, String variant, Callable<DocExamples.Measured> body)
            throws Exception {
        DocExamples.Measured m =
                Step.run(System.out, example + ", " + variant, null, body).value();
        if (chart != null) {
            chart.add(variant, m.addedPeakSoFar());
        }
        report.row(
                example, variant, m.time(), "added peak memory of parent and workers " + PeakMemory.mb(m.addedPeak()));
    }
}
