#!/usr/bin/env bash
# Memory: joblib4j vs Python joblib in the same scenarios, one after the other on this machine.
#   bench/python/run_memory_peer.sh        (from the repository root)
# Builds the bench module, runs io.joblib4j.bench.memory.MemoryScenario, then bench/python/memory_peer.py with
# /usr/bin/python3 (or $JOBLIB4J_PYTHON), which must have joblib and numpy.
set -euo pipefail
cd "$(dirname "$0")/../.."
JAVA_HOME=$(sh .mvn/find-jdk.sh 25)
./mvnw -q -B -pl bench -am package dependency:build-classpath -Dmdep.outputFile="$PWD/bench/target/cp.txt" -DskipTests
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -Xmx2g \
  -cp "bench/target/classes:$(cat bench/target/cp.txt)" io.joblib4j.bench.memory.MemoryScenario "$work"
echo
"${JOBLIB4J_PYTHON:-/usr/bin/python3}" bench/python/memory_peer.py "$work"
