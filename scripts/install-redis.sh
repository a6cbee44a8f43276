#!/usr/bin/env bash
# Debian's redis-server for the tests of the Redis shared state (test/helpers/redis.ts starts one of its own on a free
# port for each test file, and stops it after): installed with apt-get when missing (as root; otherwise it says what
# to run), then asked for its version, so a binary that cannot start fails here with its own error. No service is
# started: nothing here listens on Redis's usual port.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${REDIS_SERVER_PATH:-}" ]; then
	if [ ! -x "$REDIS_SERVER_PATH" ]; then
		echo "install-redis: REDIS_SERVER_PATH=$REDIS_SERVER_PATH is not an executable." >&2
		exit 1
	fi
	REDIS="$REDIS_SERVER_PATH"
elif command -v redis-server >/dev/null 2>&1; then
	REDIS="$(command -v redis-server)"
else
	if [ "$(id -u)" != 0 ]; then
		echo "install-redis: redis-server is missing: install Debian's redis-server package (sudo apt-get install redis-server), or set REDIS_SERVER_PATH." >&2
		exit 1
	fi
	echo "Installing Debian's redis-server…"
	export DEBIAN_FRONTEND=noninteractive
	# Always refresh the package lists first: on a machine where `apt-get update` never ran there are none, and
	# old ones point at versions the mirror no longer has.
	apt-get -o DPkg::Lock::Timeout=300 update -qq
	# The package's own service would start on port 6379 where a machine without systemd lets it; the tests never
	# use it, so policy-rc.d keeps it stopped for the length of this install.
	policy=/usr/sbin/policy-rc.d
	if [ ! -e "$policy" ]; then
		printf '#!/bin/sh\nexit 101\n' >"$policy"
		chmod +x "$policy"
		trap 'rm -f "$policy"' EXIT
	fi
	apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends redis-server >/dev/null
	REDIS="$(command -v redis-server || true)"
	[ -n "$REDIS" ] || {
		echo "install-redis: apt-get installed redis-server but it is not on PATH." >&2
		exit 1
	}
fi

"$REDIS" --version || {
	echo "install-redis: $REDIS does not start." >&2
	exit 1
}
