/** Deterministic 128-bit content hashing of object graphs. */
package io.joblib4j.hash;
