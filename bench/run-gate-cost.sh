#!/usr/bin/env bash
# What the build gates cost: times `./mvnw -o -q -B -DskipTests package` of every module from clean, with all gates,
# without doclint, without Error Prone + NullAway, and without both (javadoc jars not built at all), alternating
# the configurations N times. Prints wall and CPU seconds per run and the load average before and after.
#   bench/run-gate-cost.sh [rounds]      e.g. bench/run-gate-cost.sh 1
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-1}
configs=("all gates|" "no doclint|-Djoblib4j.doclint=none" "no Error Prone/NullAway|-Pno-errorprone"
  "neither (no javadoc)|-Pno-errorprone -Dmaven.javadoc.skip=true")
uptime
for r in $(seq "$rounds"); do
  for c in "${configs[@]}"; do
    name=${c%%|*}
    flags=${c#*|}
    ./mvnw -o -q -B clean > /dev/null
    # shellcheck disable=SC2086
    t=$( { /usr/bin/time -f '%e %U %S' ./mvnw -o -q -B -DskipTests package $flags > /dev/null; } 2>&1 | tail -1)
    read -r wall user sys <<< "$t"
    printf 'round %d  %-26s wall %7.1f s  cpu %7.1f s\n' "$r" "$name" "$wall" "$(echo "$user + $sys" | bc)"
  done
done
uptime
