#!/bin/sh
set -eu
# Like the official image: `docker run redis --appendonly yes` passes options to redis-server, and the server
# listens on every interface without protected mode (it is reached through Docker's network, not the Internet).
case "${1:-}" in -*|*.conf) set -- redis-server "$@" ;; esac
if [ "${1:-}" = redis-server ]; then
  shift
  if [ "$(id -u)" = 0 ]; then
    chown -R redis:redis . 2>/dev/null || true
    exec setpriv --reuid=redis --regid=redis --init-groups redis-server --protected-mode no "$@"
  fi
  exec redis-server --protected-mode no "$@"
fi
exec "$@"
