#!/bin/sh
# Installs what `npm run test:cluster` starts besides Dockyard itself, idempotently: HAProxy (the load
# balancer in front of the nodes) and a Redis-protocol server (the shared store for rate limits and
# quotas). Valkey where the distribution has it (Debian 13 and later), else Redis (Debian 12). Nothing is
# started or enabled as a service: the test harness starts its own instances on ports of its own.
set -eu

log() { echo "[cluster-tools] $*"; }

missing=""
command -v haproxy >/dev/null 2>&1 || missing="$missing haproxy"
if ! command -v valkey-server >/dev/null 2>&1 && ! command -v redis-server >/dev/null 2>&1; then
  apt-get update -qq
  if apt-cache show valkey-server >/dev/null 2>&1; then missing="$missing valkey-server"; else missing="$missing redis-server"; fi
fi
if [ -n "$missing" ]; then
  log "installing$missing from Debian's packages"
  [ -n "$(find /var/lib/apt/lists -maxdepth 1 -name '*Packages*' -print -quit)" ] || apt-get update -qq
  # The packages may start their own services (not on machines without an init); the harness never uses them.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
log "haproxy: $(haproxy -v 2>/dev/null | head -n 1)"
log "store: $(valkey-server --version 2>/dev/null || redis-server --version)"
