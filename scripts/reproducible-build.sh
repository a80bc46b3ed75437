#!/usr/bin/env bash
# Checks that the build is reproducible: builds sdk-core's jars (the jar, -sources.jar and
# -javadoc.jar) twice, each time from a fresh copy of the sources in its own directory, and compares
# their SHA-256. Exit 0 when every jar is byte-identical, 1 otherwise (with the entries that differ).
#
#   bash scripts/reproducible-build.sh [MODULE]      # default sdk-core; offline (-o): run after a build
#
# Each copy builds only the module (-pl MODULE, -o -DskipTests), so the module must have no reactor
# dependency not already in ~/.m2 (sdk-core has none). docs/developer-guide.md "Reproducible builds".
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
module="${1:-sdk-core}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

build() {
  local dir="$work/$1"
  mkdir -p "$dir"
  # the module's sources as a fresh clone has them (no target/), every POM of the reactor, .mvn/
  (cd "$root" && git ls-files -z --cached --others --exclude-standard -- .mvn '*pom.xml' "$module" \
    | xargs -0 cp --parents -t "$dir")
  (cd "$dir" && mvn -B -q -o -pl "$module" package -DskipTests) \
    || { echo "build $1 of $module failed" >&2; exit 2; }
}

# the two builds, a second apart, so that anything taking the clock differs
build one
sleep 1
build two

status=0
for jar in "$work"/one/"$module"/target/*.jar; do
  name="$(basename "$jar")"
  other="$work/two/$module/target/$name"
  a="$(sha256sum "$jar" | cut -d' ' -f1)"
  b="$(sha256sum "$other" 2>/dev/null | cut -d' ' -f1 || echo missing)"
  if [ "$a" = "$b" ]; then
    echo "reproducible: $name $a"
  else
    echo "NOT reproducible: $name ($a vs $b)"
    status=1
    # which entries differ
    mkdir -p "$work/x1" "$work/x2"
    (cd "$work/x1" && rm -rf ./* && unzip -q -o "$jar")
    (cd "$work/x2" && rm -rf ./* && unzip -q -o "$other")
    diff -rq "$work/x1" "$work/x2" | head -20 || true
  fi
done
exit $status
