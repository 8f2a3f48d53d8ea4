#!/bin/sh
# Prints the home of a JDK with a Java version of at least $1 (default 25), or fails with a message.
# Looks at JOBLIB4J_JAVA_HOME, JAVA_HOME, the `java` on PATH, then the usual install locations
# (Debian/Ubuntu /usr/lib/jvm, /opt, SDKMAN, IntelliJ's ~/.jdks, macOS). Used by ./mvnw and ./joblib4j.
want="${1:-25}"

major_of() {
  # The major Java version of the JDK at $1, from its `release` file, else from `java -version`.
  home="$1"
  [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || return 1
  v=""
  if [ -f "$home/release" ]; then
    v=$(sed -n 's/^JAVA_VERSION="\([^"]*\)".*/\1/p' "$home/release" | head -n 1)
  fi
  if [ -z "$v" ]; then
    v=$("$home/bin/java" -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)
  fi
  case "$v" in 1.*) v=${v#1.} ;; esac
  v=${v%%[.+-]*}
  case "$v" in ''|*[!0-9]*) return 1 ;; esac
  echo "$v"
}

best=""
best_major=0
consider() {
  [ -n "$1" ] || return 0
  m=$(major_of "$1") || return 0
  if [ "$m" -ge "$want" ]; then
    # The first explicit choice that qualifies wins; among discovered JDKs, the lowest qualifying version
    # (closest to what the build targets) wins.
    if [ -z "$best" ] || { [ "$2" = scan ] && [ "$m" -lt "$best_major" ]; }; then
      best="$1"; best_major="$m"
    fi
  fi
}

for explicit in "${JOBLIB4J_JAVA_HOME:-}" "${JAVA_HOME:-}"; do
  consider "$explicit" explicit
  [ -n "$best" ] && { echo "$best"; exit 0; }
done
if command -v java >/dev/null 2>&1; then
  j=$(command -v java)
  j=$(readlink -f "$j" 2>/dev/null || echo "$j")
  consider "${j%/bin/java}" explicit
  [ -n "$best" ] && { echo "$best"; exit 0; }
fi
for d in /usr/lib/jvm/* /usr/local/lib/jvm/* /usr/java/* /opt/java/* /opt/jdk* /opt/*jdk* \
         "$HOME"/.sdkman/candidates/java/* "$HOME"/.jdks/* "$HOME"/.local/share/mise/installs/java/* \
         "$HOME"/.asdf/installs/java/* /Library/Java/JavaVirtualMachines/*/Contents/Home; do
  [ -d "$d" ] && consider "$d" scan
done
if [ -n "$best" ]; then
  echo "$best"
  exit 0
fi
{
  echo "joblib4j needs a JDK $want or newer, and none was found."
  echo "Looked at JOBLIB4J_JAVA_HOME, JAVA_HOME, the java on PATH, /usr/lib/jvm, /opt, SDKMAN and ~/.jdks."
  echo "Install one (Debian/Ubuntu: apt-get install openjdk-$want-jdk, or Temurin $want) or point JAVA_HOME at it."
} >&2
exit 1
