/** Deterministic 128-bit content hashing of object graphs. */
@NullMarked
package io.joblib4j.hash;

import org.jspecify.annotations.NullMarked;
