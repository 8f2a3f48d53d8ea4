/** {@code dump}/{@code load} of object graphs with raw, memory-mappable arrays and pluggable compression. */
package io.joblib4j.persist;
