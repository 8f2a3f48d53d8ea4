/**
 * Python's {@code multiprocessing} toolbox on JVMs: {@link io.joblib4j.multiprocessing.JvmProcess} (a task in a child
 * JVM), {@link io.joblib4j.multiprocessing.ProcessQueue} and {@link io.joblib4j.multiprocessing.Pipe} to exchange
 * objects, {@link io.joblib4j.multiprocessing.ProcessLock}, {@link io.joblib4j.multiprocessing.ProcessSemaphore} and
 * {@link io.joblib4j.multiprocessing.ProcessEvent} to coordinate, {@link io.joblib4j.multiprocessing.SharedLong},
 * {@link io.joblib4j.multiprocessing.SharedDouble} and {@code NdArray.shared} for shared memory, and
 * {@link io.joblib4j.multiprocessing.SharedMap} (a {@code Manager().dict()}). Pool's {@code map}, {@code imap} and
 * {@code applyAsync} are on {@link io.joblib4j.process.ProcessPool}.
 *
 * <p>Shared objects are hosted by the process that creates them and passed to others by capturing them in a
 * {@code JvmProcess} target or in a task of {@code Parallel} or a {@code ProcessPool}. What they hold lives until
 * they are closed or their creator exits; a lock, permit or pipe end held by a process that dies is released at once.
 */
@NullMarked
package io.joblib4j.multiprocessing;

import org.jspecify.annotations.NullMarked;
