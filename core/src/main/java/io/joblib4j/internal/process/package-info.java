/**
 * The machinery of the process backend shared by the parent and its worker JVMs: the channel protocol, the
 * serialization codec with large-array substitution, temp folders, exit statuses and the worker's main class.
 * Not part of the API.
 */
@NullMarked
package io.joblib4j.internal.process;

import org.jspecify.annotations.NullMarked;
