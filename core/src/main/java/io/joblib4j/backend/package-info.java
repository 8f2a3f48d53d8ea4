/**
 * The backend SPI that {@link io.joblib4j.parallel.Parallel} dispatches batches of tasks to, and the
 * in-process backends: {@code sequential}, {@code threads} and {@code virtual}.
 */
@NullMarked
package io.joblib4j.backend;

import org.jspecify.annotations.NullMarked;
