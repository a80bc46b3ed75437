#!/usr/bin/env bash
# Runs the README's hand-made walk-through (the block between the walkthrough:begin and
# walkthrough:end markers in README.md) verbatim, in a fresh directory, against the jar the build
# made, then checks what the README says it does. CI runs it (.ci/run).
#
#   mvn -B -q -DskipTests package && bash scripts/readme-walkthrough.sh [DIR]
#
# DIR (optional, must be empty or absent) keeps the files; without it a temporary directory is
# used and removed afterwards. The block runs with `set -euo pipefail` and aliases enabled, as a
# user's interactive shell would run it, so any failing command fails the walk-through.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
jar="$root/sdk-gateway/target/shulian.jar"
[ -f "$jar" ] || { echo "no $jar: build first (mvn -B -q -DskipTests package)" >&2; exit 1; }

if [ $# -ge 1 ]; then
  dir="$1"; keep=1
  mkdir -p "$dir"
  [ -z "$(ls -A "$dir")" ] || { echo "$dir is not empty" >&2; exit 1; }
else
  dir="$(mktemp -d "${TMPDIR:-/tmp}/shulian-walkthrough.XXXXXX")"; keep=0
fi
cleanup() { if [ "$keep" = 0 ]; then rm -rf "$dir"; fi; }
trap cleanup EXIT

# The block, without its ``` fences; exactly what a reader copies.
awk '/<!-- walkthrough:begin -->/{f=1; next} /<!-- walkthrough:end -->/{f=0} f' "$root/README.md" \
  | sed '/^```/d' > "$dir/walkthrough.sh"
[ -s "$dir/walkthrough.sh" ] || { echo "README.md has no walkthrough block" >&2; exit 1; }

# The README is run from the repository root: give the fresh directory the jar at the same path.
mkdir -p "$dir/sdk-gateway/target"
ln -s "$jar" "$dir/sdk-gateway/target/shulian.jar"

echo "== running the README walk-through in $dir"
(cd "$dir" && env -u SHULIAN_KEY_PASSWORD bash -c 'shopt -s expand_aliases; set -euo pipefail; source ./walkthrough.sh') \
  2>&1 | tee "$dir/walkthrough.log"

echo "== checking what the README says"
fail() { echo "README walk-through: $*" >&2; exit 1; }
cd "$dir"
cmp -s request.json request.out || fail "request.out differs from request.json"
grep -q '"sender" : "440600/11440600MB2C5678CX"' walkthrough.log || fail "open --json printed no verified sender"
grep -q 'payload identical' walkthrough.log || fail "the cmp line did not run"
grep -q 'second open refused with exit code 3' walkthrough.log || fail "the second open was not refused with exit code 3"
grep -q 'envelope rejected (REPLAYED)' walkthrough.log || fail "the second open did not say REPLAYED"
[ ! -e again.out ] || fail "the refused second open wrote again.out"
cmp -s request.json request-gm.out || fail "the GM pair did not round-trip"
grep -q '(GM, ' walkthrough.log || fail "the GM envelope was not sealed with the GM suite"
openssl pkcs12 -info -nodes -passin pass:change-me -in housing/key.p12 > /dev/null 2>&1 \
  || fail "openssl cannot read housing/key.p12"
! grep -q 'SLF4J' walkthrough.log || fail "shulian.jar printed SLF4J warnings (no logging backend shaded in?)"
# The README's sentences after the block: suites never mix, and --ttl stops at 24h.
rc=0
SHULIAN_KEY_PASSWORD=change-me java -jar "$jar" seal --key civil-gm/key.p12 --to housing/cert.pem \
  --resource HOUSING-001 --purpose social-assistance-review --in request.json --out mixed.env 2> mixed.err || rc=$?
[ "$rc" = 3 ] && grep -q 'SUITE_MISMATCH' mixed.err && [ ! -e mixed.env ] \
  || fail "sealing from a GM key to an INTL recipient did not fail with SUITE_MISMATCH (exit $rc)"
rc=0
SHULIAN_KEY_PASSWORD=change-me java -jar "$jar" seal --key civil/key.p12 --to housing/cert.pem \
  --resource HOUSING-001 --purpose social-assistance-review --ttl 25h --in request.json --out long.env 2> long.err || rc=$?
[ "$rc" = 2 ] && grep -q '24h' long.err || fail "seal --ttl 25h was not refused as a usage error naming 24h (exit $rc)"
echo "README walk-through: ok"

# What docs/developer-guide.md promises of the build: sources and Javadoc jars of the library
# modules, the Javadoc without the internal packages. Checked when the build made them (mvn verify).
for m in sdk-core sdk-gateway; do
  javadoc_jar=$(ls "$root/$m/target/$m"-*-javadoc.jar 2>/dev/null | head -1 || true)
  [ -n "$javadoc_jar" ] || { echo "no $m javadoc jar (built by mvn package/verify): skipped"; continue; }
  ls "$root/$m/target/$m"-*-sources.jar > /dev/null 2>&1 || fail "$m has a javadoc jar but no sources jar"
  ! jar tf "$javadoc_jar" | grep -q '/internal/' || fail "$javadoc_jar documents internal packages"
done
echo "developer guide artifacts: ok"
