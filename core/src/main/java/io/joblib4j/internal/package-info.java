/** Implementation helpers shared by the other packages; not part of the API. */
@NullMarked
package io.joblib4j.internal;

import org.jspecify.annotations.NullMarked;
