/** joblib4j's calls and cache events as Micrometer meters: {@link io.joblib4j.micrometer.JoblibMetrics}. */
@NullMarked
package io.joblib4j.micrometer;

import org.jspecify.annotations.NullMarked;
