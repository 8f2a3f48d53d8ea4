package io.joblib4j.process;

import io.joblib4j.Task;
import java.util.concurrent.Future;

/** A parent JVM for {@link OrphanAndLeftoverTest}: starts a worker, prints its pid, then waits to be killed. */
public final class OrphanParent {
    private OrphanParent() {}

    public static void main(String[] args) throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(1).build();
        Task<Long> pid = () -> ProcessHandle.current().pid();
        Future<Long> f = pool.submit(pid);
        System.out.println("WORKER " + f.get());
        System.out.flush();
        Thread.sleep(120_000);
    }
}
