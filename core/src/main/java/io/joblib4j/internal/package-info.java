/** Implementation helpers shared by the other packages; not part of the API. */
package io.joblib4j.internal;
