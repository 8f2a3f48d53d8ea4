#!/usr/bin/env bash
# Builds core + bench and runs the persistence scenario (io.joblib4j.bench.persist.PersistScenario).
#   bench/run-persist.sh [reps] [dir]      e.g. bench/run-persist.sh 5 /tmp/j4j-bench
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(sh .mvn/find-jdk.sh 25)
./mvnw -q -B -pl core,bench -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
# this checkout's core classes, not an installed joblib4j-core jar
deps=$(tr ':' '\n' < bench/target/classpath.txt | grep -v '/joblib4j-core-' | paste -sd: -)
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx4g \
  -cp "bench/target/classes:core/target/classes:$deps" io.joblib4j.bench.persist.PersistScenario "$@"
