#!/bin/sh
# Runs a command with a Node.js new enough for this project: 22.18+ in the 22 line,
# 23.6+ or 24+. Astro 7 and Vitest 5 need 22.12, but the scripts and the server are
# .ts files run directly by `node`, and Node strips TypeScript types without a flag
# only from 22.18 (23.6 in the 23 line). Where the machine's Node is older
# (Debian 12 images ship 20), Node 24 is bootstrapped once from the npm
# registry package `node@24` into .cache/node24 and put first on PATH, so
# every `#!/usr/bin/env node` below this process uses it too.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)

node_is_new_enough() {
  command -v node >/dev/null 2>&1 || return 1
  version=$(node -p 'process.versions.node' 2>/dev/null) || return 1
  major=${version%%.*}
  rest=${version#*.}
  minor=${rest%%.*}
  [ "$major" -ge 24 ] ||
    { [ "$major" -eq 23 ] && [ "$minor" -ge 6 ]; } ||
    { [ "$major" -eq 22 ] && [ "$minor" -ge 18 ]; }
}

if ! node_is_new_enough; then
  bootstrap="$root/.cache/node24"
  if [ ! -x "$bootstrap/node_modules/node/bin/node" ]; then
    echo "Node.js >= 22.18 (runs .ts files without a flag) is needed; found $(node --version 2>/dev/null || echo none)." >&2
    echo "Installing Node 24 from the npm registry into .cache/node24 (once)..." >&2
    mkdir -p "$bootstrap"
    npm install --silent --no-save --no-audit --no-fund --prefix "$bootstrap" node@24 >&2
  fi
  PATH="$bootstrap/node_modules/node/bin:$PATH"
  export PATH
  node_is_new_enough || { echo "Could not bootstrap Node 24." >&2; exit 1; }
fi

exec "$@"
