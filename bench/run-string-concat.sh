#!/usr/bin/env bash
# Does -XDstringConcat=inline still pay for core? Compiles core's main classes twice (inline, and javac's default
# indyWithConstants), then runs io.joblib4j.bench.parallel.StringConcatProbe in a fresh JVM against each, alternating,
# N times each, and prints the medians. The JVM's whole wall time is taken here as well.
#   bench/run-string-concat.sh [runs]      e.g. bench/run-string-concat.sh 20
set -euo pipefail
cd "$(dirname "$0")/.."
JAVA_HOME=$(sh .mvn/find-jdk.sh 25)
runs=${1:-20}
work=$(mktemp -d /tmp/j4j-concat.XXXXXX)
trap 'rm -rf "$work"' EXIT
./mvnw -q -B -o -pl bench -am compile dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
deps=$(tr ':' '\n' < bench/target/classpath.txt | grep -v '/joblib4j-core-' | paste -sd: -)
modes="inline indyWithConstants"
for mode in $modes; do
  ./mvnw -q -B -o -pl core clean compile -Djoblib4j.stringConcat="$mode"
  cp -r core/target/classes "$work/$mode"
  # the strategy is in the class files: invokedynamic makeConcatWithConstants, or StringBuilder chains
  echo "$mode: $("$JAVA_HOME/bin/javap" -c -p -cp "$work/$mode" io.joblib4j.array.Npy | grep -c makeConcatWithConstants) makeConcatWithConstants call sites in Npy"
done
uptime
for i in $(seq "$runs"); do
  for mode in $modes; do
    start=$(date +%s%N)
    line=$("$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED \
      -cp "bench/target/classes:$work/$mode:$deps" io.joblib4j.bench.parallel.StringConcatProbe)
    end=$(date +%s%N)
    echo "$mode jvmMs=$(( (end - start) / 1000000 )) $line" >> "$work/samples.txt"
  done
done
uptime
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
printf '%-20s %10s %12s %13s %11s %15s\n' strategy jvm_ms first_call_ms first_format_ms first_npy_ms warm_us_per_round
for mode in $modes; do
  col() { grep "^$mode " "$work/samples.txt" | tr ' ' '\n' | grep "^$1=" | cut -d= -f2 | median; }
  printf '%-20s %10s %12s %13s %11s %15s\n' "$mode" "$(col jvmMs)" "$(col firstCallMs)" "$(col firstFormatMs)" \
    "$(col firstNpyMs)" "$(col warmUsPerRound)"
done
# leave core compiled the way its pom says
./mvnw -q -B -o -pl core clean compile
