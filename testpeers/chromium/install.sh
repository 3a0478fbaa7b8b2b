#!/usr/bin/env bash
# Installs playwright-core from npm into a project-local folder, once.
#   install.sh <dir> <version>
# <dir> is e.g. .tools/node/playwright-core-1.65.1 (gitignored). The install goes to a temporary
# folder that is renamed when complete, so an interrupted or concurrent install never looks
# done; a second caller that loses the rename race just uses the winner's copy.
set -euo pipefail
dir=$1
version=$2
if [ -f "$dir/node_modules/playwright-core/package.json" ]; then
  exit 0
fi
command -v npm >/dev/null 2>&1 || { echo "install.sh: npm is missing (apt-get install npm)" >&2; exit 1; }
mkdir -p "$(dirname "$dir")"
tmp=$(mktemp -d "$dir.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo "chromium testpeer: npm install playwright-core@$version into $dir" >&2
(
  cd "$tmp"
  printf '{"name":"seatline-chromium-testpeer","private":true}\n' > package.json
  npm install --silent --no-audit --no-fund --no-update-notifier --no-save \
    "playwright-core@$version" >&2
)
test -f "$tmp/node_modules/playwright-core/package.json"
if mv -T "$tmp" "$dir" 2>/dev/null; then
  trap - EXIT
fi
test -f "$dir/node_modules/playwright-core/package.json"
