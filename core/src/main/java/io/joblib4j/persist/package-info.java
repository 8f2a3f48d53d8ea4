/** {@code dump}/{@code load} of object graphs with raw, memory-mappable arrays and pluggable compression. */
@NullMarked
package io.joblib4j.persist;

import org.jspecify.annotations.NullMarked;
