#!/usr/bin/env bash
# Install the Debian packages named on the command line, but only those that are missing.
#
#   scripts/ensure-apt.sh postgresql sqlite3 cmake ...
#
# When everything is already installed this only asks dpkg (a fraction of a second) and
# never touches the network. `apt-get update` runs only when something must be installed.
# Never prompts: DEBIAN_FRONTEND=noninteractive and -y.
set -euo pipefail

missing=()
for pkg in "$@"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  if [ "$status" != "install ok installed" ]; then
    missing+=("$pkg")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "apt: all present ($*)"
  exit 0
fi

echo "apt: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "apt: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -q
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${missing[@]}"
