#!/usr/bin/env bash
# Debian's Chromium for the editor tests (driven by playwright-core, which downloads no browser).
set -euo pipefail
if [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "Chromium is missing: install Debian's chromium package (sudo apt-get install chromium), or set CHROMIUM_PATH." >&2
	exit 1
fi
echo "Installing Debian's chromium…"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null
