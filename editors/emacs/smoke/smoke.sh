#!/usr/bin/env bash
# By-hand check of the Emacs snippets against a real `tactful lsp` (not part of CI).
# Needs Emacs with Eglot and lsp-mode, e.g. Debian's emacs-nox elpa-eglot elpa-lsp-mode.
#   editors/emacs/smoke/smoke.sh [path/to/tactful]
# For each snippet: opens a mutt-style draft under a folder with .tactful.toml, prints
# the diagnostics, applies the preferred quick fix, saves, and shows the diff.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
BIN=${1:-$REPO/target/debug/tactful}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$TMP/ws/drafts" && touch "$TMP/ws/.tactful.toml"
# An ASCII line and CJK/accents: lsp-mode 8.0 counts columns in code points, so an
# emoji (two UTF-16 units) before a finding would shift its edits; Eglot is right.
printf 'From: Ann <ann@example.com>\nTo: Bob <bob@example.com>\nSubject: Numbers\n\nHi Bob,\n\nMerci Zoë (東京 team): please get back to me ASAP.\nWhy???\n\nAnn\n' > "$TMP/original"
status=0
for client in eglot lsp-mode; do
  echo "== $client"
  draft=$TMP/ws/drafts/mutt-host-1000-1-1
  cp "$TMP/original" "$draft"
  TACTFUL_BIN_DIR=$(dirname "$BIN") SNIPPET_DIR=$REPO/editors/emacs DRAFT=$draft SMOKE_TMP=$TMP \
    timeout 120 emacs --batch -q -l "$HERE/$client.el" 2>&1 | grep -E 'DIAG|root|PREFERRED|SAVED|NO DIAG|error' || status=1
  diff "$TMP/original" "$draft" && { echo "$client: the file did not change"; status=1; } || true
done
exit $status
