/**
 * The cluster backend: {@link io.joblib4j.hazelcast.HazelcastBackend} runs {@code Parallel} calls on the members of a
 * Hazelcast cluster, and {@link io.joblib4j.hazelcast.ClusterMember} starts a member that runs tasks.
 */
@NullMarked
package io.joblib4j.hazelcast;

import org.jspecify.annotations.NullMarked;
