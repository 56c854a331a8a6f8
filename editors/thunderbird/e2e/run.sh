#!/usr/bin/env bash
# The Thunderbird end-to-end test: builds the .xpi and runs e2e.py against the
# release binary (TACTFUL_BIN to use another) in a real Thunderbird under Xvfb.
#   editors/thunderbird/e2e/run.sh                 run it (installs what is missing)
#   editors/thunderbird/e2e/run.sh --install-only  only the installs
# Artifacts (screenshot, Thunderbird's log, the driver's records): target/e2e/thunderbird/.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)

need=()
command -v thunderbird >/dev/null 2>&1 || need+=(thunderbird)
command -v xvfb-run >/dev/null 2>&1 || need+=(xvfb xauth)
command -v import >/dev/null 2>&1 || need+=(imagemagick)
/usr/bin/python3 -c 'import aiosmtpd' 2>/dev/null || need+=(python3-aiosmtpd)
if [ ${#need[@]} -gt 0 ]; then
  echo "== apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq </dev/null
  apt-get install -y -qq "${need[@]}" </dev/null >/dev/null
fi
[ "${1:-}" = "--install-only" ] && exit 0

BIN=${TACTFUL_BIN:-$ROOT/target/release/tactful}
[ -x "$BIN" ] || { echo "no tactful binary at $BIN (cargo build --release, or set TACTFUL_BIN)" >&2; exit 2; }
(cd "$HERE/.." && node scripts/build-xpi.js)
# Debian's python3 has python3-aiosmtpd; a pyenv or venv python3 on PATH may not.
exec /usr/bin/python3 "$HERE/e2e.py" "$HERE/../dist/tactful.xpi" "$BIN" "$ROOT/target/e2e/thunderbird"
