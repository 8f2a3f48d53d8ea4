package io.joblib4j.persist;

import java.lang.reflect.Method;

/**
 * Bytes allocated on the heap by the current thread ({@code com.sun.management.ThreadMXBean}), reached by
 * reflection because the test sources compile inside the core module, which does not read {@code jdk.management}.
 */
final class Allocations {
    private static final Object BEAN;
    private static final Method ALLOCATED;
    private static final Method CPU;

    static {
        try {
            BEAN = Class.forName("java.lang.management.ManagementFactory")
                    .getMethod("getThreadMXBean")
                    .invoke(null);
            ALLOCATED =
                    Class.forName("com.sun.management.ThreadMXBean").getMethod("getThreadAllocatedBytes", long.class);
            CPU = Class.forName("java.lang.management.ThreadMXBean").getMethod("getCurrentThreadCpuTime");
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private Allocations() {}

    /** The CPU time the current thread has used so far, in nanoseconds (unaffected by other load). */
    static long cpuNanosOfCurrentThread() {
        try {
            return (long) CPU.invoke(BEAN);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes the current thread has allocated so far. */
    static long ofCurrentThread() {
        try {
            return (long) ALLOCATED.invoke(BEAN, Thread.currentThread().threadId());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
