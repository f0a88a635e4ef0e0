#!/usr/bin/env bash
# `npm run example`: the main job end to end on the bundled example project — start a private
# MariaDB and Elasticsearch (installed/fetched here when missing), then `olympia-data initialize`:
# migrate, seed (or load _init when it exists), dump _init, build the `addons` index.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v mariadbd >/dev/null 2>&1 && ! command -v mysqld >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing mariadb-server from Debian…" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mariadb-server mariadb-client >/dev/null
  else
    echo "error: no MySQL/MariaDB server is installed; run: sudo apt-get install mariadb-server" >&2
    exit 1
  fi
fi
[ -d node_modules ] || npm ci --no-audit --no-fund --loglevel=error
exec node bin/olympia-data.js initialize --config examples/olympia/olympia-data.json --services local "$@"
