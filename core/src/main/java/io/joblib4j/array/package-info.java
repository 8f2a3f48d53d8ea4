/** {@code NdArray}: n-dimensional primitive arrays over memory segments, and NumPy {@code .npy}/{@code .npz} I/O. */
package io.joblib4j.array;
