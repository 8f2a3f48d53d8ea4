/** joblib's {@code Memory}: transparent disk memoization keyed by function identity, code version and arguments. */
@NullMarked
package io.joblib4j.memory;

import org.jspecify.annotations.NullMarked;
