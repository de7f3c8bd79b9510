#!/bin/sh
# Runs a command with a Node.js new enough for this project (>= 22.12).
# Astro 7 and Vitest 5 refuse older Node. Where the machine's Node is older
# (Debian 12 images ship 20), Node 24 is bootstrapped once from the npm
# registry package `node@24` into .cache/node24 and put first on PATH, so
# every `#!/usr/bin/env node` below this process uses it too.
set -eu

root=$(cd "$(dirname "$0")/.." && pwd)
required_major=22
required_minor=12

node_is_new_enough() {
  command -v node >/dev/null 2>&1 || return 1
  version=$(node -p 'process.versions.node' 2>/dev/null) || return 1
  major=${version%%.*}
  rest=${version#*.}
  minor=${rest%%.*}
  [ "$major" -gt "$required_major" ] ||
    { [ "$major" -eq "$required_major" ] && [ "$minor" -ge "$required_minor" ]; }
}

if ! node_is_new_enough; then
  bootstrap="$root/.cache/node24"
  if [ ! -x "$bootstrap/node_modules/node/bin/node" ]; then
    echo "Node.js >= $required_major.$required_minor is needed; found $(node --version 2>/dev/null || echo none)." >&2
    echo "Installing Node 24 from the npm registry into .cache/node24 (once)..." >&2
    mkdir -p "$bootstrap"
    npm install --silent --no-save --no-audit --no-fund --prefix "$bootstrap" node@24 >&2
  fi
  PATH="$bootstrap/node_modules/node/bin:$PATH"
  export PATH
  node_is_new_enough || { echo "Could not bootstrap Node 24." >&2; exit 1; }
fi

exec "$@"
