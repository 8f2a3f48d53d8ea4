package io.joblib4j.process;

import io.joblib4j.SerializableRunnable;
import io.joblib4j.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Tasks the process tests send to worker JVMs; kept apart from the test classes so workers load little. */
final class WorkerTasks {
    static final AtomicInteger INIT_RUNS = new AtomicInteger();
    static final List<byte[]> RETAINED = new ArrayList<>();

    private WorkerTasks() {}

    static Task<Integer> times2(int x) {
        return () -> x * 2;
    }

    static Task<Long> pid() {
        return () -> ProcessHandle.current().pid();
    }

    static Task<Integer> sleepThen(long millis, int value) {
        return () -> {
            Thread.sleep(millis);
            return value;
        };
    }

    static Task<Integer> throwing(String message) {
        return () -> {
            throw new IllegalArgumentException(message);
        };
    }

    static Task<Integer> checkedThrowing() {
        return () -> {
            throw new IOException("disk says no");
        };
    }

    static Task<Integer> exit(int code) {
        return () -> {
            System.exit(code);
            return 0;
        };
    }

    static Task<Integer> halt(int code) {
        return () -> {
            Runtime.getRuntime().halt(code);
            return 0;
        };
    }

    static Task<Integer> killSelf() {
        return () -> {
            new ProcessBuilder(
                            "kill", "-9", Long.toString(ProcessHandle.current().pid()))
                    .start()
                    .waitFor();
            Thread.sleep(10_000);
            return 0;
        };
    }

    static Task<Object> unserializableResult() {
        return () -> new Object();
    }

    static Task<Integer> print(String text, int value) {
        return () -> {
            System.out.println(text);
            System.out.write(new byte[] {0, 1, 2, 6, (byte) 0xff, '\n'});
            System.out.flush();
            System.err.println(text + "-err");
            return value;
        };
    }

    static Task<Double> sum(double[] data) {
        return () -> {
            double s = 0;
            for (double d : data) {
                s += d;
            }
            return s;
        };
    }

    static Task<Integer> identityOfArrays(double[] a, double[] b) {
        return () -> System.identityHashCode(a) == System.identityHashCode(b) ? 1 : 0;
    }

    static Task<Integer> initRuns() {
        return () -> Integer.getInteger("joblib4j.test.init", 0);
    }

    static SerializableRunnable initializer() {
        return () -> System.setProperty(
                "joblib4j.test.init", Integer.toString(Integer.getInteger("joblib4j.test.init", 0) + 1));
    }

    static Task<Integer> retain(int megabytes) {
        return () -> {
            RETAINED.add(new byte[megabytes << 20]);
            return RETAINED.size();
        };
    }
}
