#!/bin/sh
# Builds the shared catalog store: a Docker volume holding a docker data root (overlay2) in which every
# catalog image keeps its layers and history as built, under its public names (nginx:latest ...).
# Playgrounds mount it read-only and use the unpacked layers in place (playground-link-catalog), so no
# playground copies them. Layers with a parent work read-only because the link script marks every one
# "committed": overlay2 then mounts it as a lower layer, never as an upper one (its naive diff, used in a
# user namespace for push, save and commit, mounts the layer it diffs).
#
# usage: build-catalog-store.sh VOLUME PLAYGROUND_IMAGE SOURCE=NAME:TAG...   (a SOURCE may have several names)
# The volume must not exist yet; STORE_LABEL (key=value), if set, is put on it.
set -eu
volume=$1
playground_image=$2
shift 2
builder="${volume}-builder"

done=''
cleanup() {
  docker rm -f "$builder" >/dev/null 2>&1 || true
  # A half-built store must not pass for a built one (its label says it is up to date).
  [ -n "$done" ] || docker volume rm "$volume" >/dev/null 2>&1 || true
}
trap cleanup EXIT
docker rm -f "$builder" >/dev/null 2>&1 || true

docker volume create ${STORE_LABEL:+--label "$STORE_LABEL"} "$volume" >/dev/null
# A playground as the server creates one (playground-container.ts), with the volume as its data root.
docker run -d --name "$builder" --cap-add SYS_ADMIN --cap-add NET_ADMIN --security-opt apparmor=unconfined \
  --security-opt systempaths=unconfined --cgroupns private --network none --read-only \
  --tmpfs /var/lib/playground:mode=0755 --tmpfs /var/lib/playground/disk:mode=0755 \
  -v "$volume:/var/lib/playground/disk/docker" "$playground_image" >/dev/null
inside() { docker exec -i "$builder" playground-exec "$@"; }

tries=0
until inside docker info >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 120 ] || { echo "the builder's daemon did not start" >&2; docker logs "$builder" >&2; exit 1; }
  sleep 0.25
done

sources=''
for pair in "$@"; do
  source=${pair%%=*}
  name=${pair#*=}
  case " $sources " in
    *" $source "*) ;;
    *)
      docker save "$source" | inside docker load -q >/dev/null
      sources="$sources $source"
      ;;
  esac
  inside docker tag "$source" "$name"
  echo "catalog store: $name"
done
# Only the public names stay (untagging removes no layer).
for source in $sources; do inside docker rmi "$source" >/dev/null; done

# Stop the daemon cleanly so the store holds no half-written state; the container ends with it.
inside sh -c 'kill -TERM "$(pidof dockerd)"' || true
docker wait "$builder" >/dev/null
done=1
