/** {@code NdArray}: n-dimensional primitive arrays over memory segments, and NumPy {@code .npy}/{@code .npz} I/O. */
@NullMarked
package io.joblib4j.array;

import org.jspecify.annotations.NullMarked;
