#!/usr/bin/env bash
# Quick start: two departments make identities, one seals a file for the other, the other opens it.
# Run from the repository root after `mvn -B -q -DskipTests package`.
set -euo pipefail
JAR="$(dirname "$0")/../sdk-gateway/target/shulian.jar"
DIR="${1:-./shulian-quickstart}"
export SHULIAN_KEY_PASSWORD="${SHULIAN_KEY_PASSWORD:-quickstart-only}"
shulian() { java -jar "$JAR" "$@"; }

rm -rf "$DIR" && mkdir -p "$DIR"
echo "== 1. Each department makes its identity (signing + encryption keys, self-signed certificates)"
shulian keygen --suite intl --party 440600/11440600MB2C1234HN/housing --out "$DIR/housing"
shulian keygen --suite intl --party 440600/11440600MB2C5678CX --out "$DIR/civil-affairs"

echo "== 2. Civil affairs seals a request for the housing bureau"
printf '{"query":"household","idNumber":"440604199001011234"}\n' > "$DIR/request.json"
shulian seal --key "$DIR/civil-affairs/key.p12" --to "$DIR/housing/cert.pem" \
  --resource HOUSING-001 --purpose social-assistance-review --content-type application/json \
  --in "$DIR/request.json" --out "$DIR/request.env"
echo "   envelope: $(wc -c < "$DIR/request.env") bytes of compact JWE"

echo "== 3. The housing bureau opens it: decrypts, verifies the signature, checks receiver and time"
shulian open --key "$DIR/housing/key.p12" --trust "$DIR/civil-affairs/cert.pem" \
  --in "$DIR/request.env" --out "$DIR/request.opened.json"
cmp "$DIR/request.json" "$DIR/request.opened.json"
echo "   payload identical: $(cat "$DIR/request.opened.json")"

echo "== 4. A tampered envelope is rejected (exit code 3)"
python3 - "$DIR/request.env" "$DIR/tampered.env" <<'PY' 2>/dev/null || sed 's/\(.\{200\}\)./\1A/' "$DIR/request.env" > "$DIR/tampered.env"
import sys
b = bytearray(open(sys.argv[1], 'rb').read()); i = len(b) // 2
b[i] = ord('A') if b[i] != ord('A') else ord('B')
open(sys.argv[2], 'wb').write(bytes(b))
PY
set +e
shulian open --key "$DIR/housing/key.p12" --trust "$DIR/civil-affairs/cert.pem" \
  --in "$DIR/tampered.env" --out "$DIR/tampered.out"
rc=$?
set -e
[ "$rc" = 3 ] || { echo "expected exit code 3, got $rc"; exit 1; }
echo "== done: files are in $DIR"
