/**
 * joblib's {@code Parallel}: run many independent tasks on a pluggable backend and collect their results as a
 * list, an ordered stream or a completion-order stream. Start with {@link io.joblib4j.parallel.Parallel}.
 */
@NullMarked
package io.joblib4j.parallel;

import org.jspecify.annotations.NullMarked;
