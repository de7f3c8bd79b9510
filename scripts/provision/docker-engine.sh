#!/bin/sh
# Installs and starts a Docker Engine on a Debian machine, idempotently.
# Debian's docker.io (engine + containerd + runc), runsc (gVisor) and
# debootstrap (which makes the base image: no registry is reachable) come from
# the distribution's packages; dockerd is started by hand because these
# machines have no systemd. Safe to run again: it only does what is missing.
set -eu

log() { echo "[docker-engine] $*"; }

if ! command -v dockerd >/dev/null 2>&1 || ! command -v runsc >/dev/null 2>&1 ||
  ! command -v debootstrap >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1; then
  log "installing docker.io, runsc and debootstrap from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io runsc debootstrap openssl >/dev/null
fi

# gVisor needs --network=none as a runtime argument here: without it the
# sandbox fails to start and leaves an orphaned shim behind (DESIGN.md §3).
daemon_json=/etc/docker/daemon.json
if [ ! -f "$daemon_json" ] || ! grep -q runsc "$daemon_json"; then
  log "registering the runsc runtime in $daemon_json"
  mkdir -p /etc/docker
  cat >"$daemon_json" <<'JSON'
{
  "runtimes": {
    "runsc": { "path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"] }
  },
  "storage-driver": "overlay2"
}
JSON
fi

if docker info >/dev/null 2>&1; then
  log "engine already running"
  exit 0
fi

log "starting dockerd"
mkdir -p /var/log
nohup dockerd >/var/log/dockerd.log 2>&1 &

waited_s=0
until docker info >/dev/null 2>&1; do
  waited_s=$((waited_s + 1))
  if [ "$waited_s" -ge 60 ]; then
    log "dockerd did not answer within 60 s; its log:"
    tail -n 40 /var/log/dockerd.log >&2
    exit 1
  fi
  sleep 1
done
log "engine ready: $(docker version --format 'server {{.Server.Version}}, API {{.Server.APIVersion}}')"
