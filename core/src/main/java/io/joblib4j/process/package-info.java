/** The {@code processes} backend: a pool of worker JVMs, also usable as an {@code ExecutorService}. */
package io.joblib4j.process;
