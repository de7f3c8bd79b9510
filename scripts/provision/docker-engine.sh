#!/bin/sh
# Installs and starts a Docker Engine on a Debian machine, idempotently.
# Debian's docker.io (engine + containerd + runc), runsc (gVisor) and
# debootstrap (which makes the base image: no registry is reachable) come from
# the distribution's packages; dockerd is started by hand because these
# machines have no systemd. Safe to run again: it only does what is missing.
set -eu

log() { echo "[docker-engine] $*"; }

if ! command -v dockerd >/dev/null 2>&1 || ! command -v runsc >/dev/null 2>&1 ||
  ! command -v debootstrap >/dev/null 2>&1 || ! command -v openssl >/dev/null 2>&1 ||
  ! command -v jq >/dev/null 2>&1; then
  log "installing docker.io, runsc, debootstrap and jq from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io runsc debootstrap openssl jq >/dev/null
fi

# Merged into an existing daemon.json, never written over it (a team's engine keeps its settings).
log "$(sh "$(dirname "$0")/merge-daemon-json.sh" /etc/docker/daemon.json)"

if docker info >/dev/null 2>&1; then
  # A running engine is left alone (no restart under a team's containers); it reads a new runtime on reload.
  if ! docker info --format '{{json .Runtimes}}' | grep -q runsc; then
    log "engine already running without runsc: reload it (kill -HUP \$(pidof dockerd)) to use SANDBOX_RUNTIME=runsc"
  fi
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
