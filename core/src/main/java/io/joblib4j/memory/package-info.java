/** joblib's {@code Memory}: transparent disk memoization keyed by function identity, code version and arguments. */
package io.joblib4j.memory;
