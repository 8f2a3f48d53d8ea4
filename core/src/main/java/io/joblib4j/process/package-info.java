/** The {@code processes} backend: a pool of worker JVMs, also usable as an {@code ExecutorService}. */
@NullMarked
package io.joblib4j.process;

import org.jspecify.annotations.NullMarked;
