#!/usr/bin/env bash
# Debian's Chromium for the editor tests (driven by playwright-core, which downloads no browser): installed with
# apt-get when missing (as root; otherwise it says what to run), then launched once through playwright-core the way
# test/e2e/editor.ts launches it, so a browser that cannot start fails here with its own error.
set -euo pipefail
cd "$(dirname "$0")/.."
CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ ! -x "$CHROMIUM" ]; then
	if [ -n "${CHROMIUM_PATH:-}" ]; then
		echo "install-chromium: CHROMIUM_PATH=$CHROMIUM is not an executable." >&2
		exit 1
	fi
	if [ "$(id -u)" != 0 ]; then
		echo "install-chromium: Chromium is missing: install Debian's chromium package (sudo apt-get install chromium), or set CHROMIUM_PATH." >&2
		exit 1
	fi
	echo "Installing Debian's chromium…"
	export DEBIAN_FRONTEND=noninteractive
	# Always refresh the package lists first: on a machine where `apt-get update` never ran there are none, and
	# old ones point at versions the mirror no longer has.
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null
	[ -x "$CHROMIUM" ] || {
		echo "install-chromium: apt-get installed chromium but $CHROMIUM is not there." >&2
		exit 1
	}
fi

node -e "
	const { chromium } = require('playwright-core');
	chromium
		.launch({ executablePath: process.argv[1], args: ['--headless', '--no-sandbox', '--disable-gpu'], timeout: 60000 })
		.then(async (browser) => {
			console.log('Chromium ' + browser.version() + ' (' + process.argv[1] + ') starts under playwright-core.');
			await browser.close();
		})
		.catch((error) => {
			console.error('install-chromium: ' + process.argv[1] + ' does not start under playwright-core: ' + error.message);
			process.exit(1);
		});
" "$CHROMIUM"
