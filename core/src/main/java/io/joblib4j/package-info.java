/**
 * joblib4j's front door: the {@link io.joblib4j.Joblib} facade ({@code delayed}, {@code dump}, {@code load},
 * {@code hash}, {@code cpuCount}) and the types every layer speaks: {@link io.joblib4j.Task} and the
 * {@code Serializable*} functional interfaces that tasks are made of.
 */
@NullMarked
package io.joblib4j;

import org.jspecify.annotations.NullMarked;
