#!/bin/sh
# Builds the shared catalog store: a Docker volume holding a docker data root (overlay2) in which every
# catalog image is one flattened layer under its public name (nginx:latest ...). Playgrounds mount it
# read-only and use the unpacked layers in place (playground-link-catalog), so no playground copies them.
# One flattened layer per image because a layer with a parent is mounted with its own directory as the
# overlay upper layer when diffed (docker commit/build in a user namespace), which a read-only store cannot be.
#
# usage: build-catalog-store.sh VOLUME PLAYGROUND_IMAGE SOURCE=NAME:TAG...
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
docker run -d --name "$builder" --cap-add SYS_ADMIN --cap-add NET_ADMIN --security-opt apparmor=unconfined \
  --security-opt systempaths=unconfined --cgroupns private --network none --tmpfs /run --tmpfs /tmp \
  -v "$volume:/var/lib/docker" "$playground_image" >/dev/null
inside() { docker exec -i "$builder" playground-exec "$@"; }

tries=0
until inside docker info >/dev/null 2>&1; do
  tries=$((tries + 1))
  [ "$tries" -lt 120 ] || { echo "the builder's daemon did not start" >&2; docker logs "$builder" >&2; exit 1; }
  sleep 0.25
done

for pair in "$@"; do
  source=${pair%%=*}
  name=${pair#*=}
  docker save "$source" | inside docker load -q >/dev/null
  # One layer holding the container's whole file system, and the source's own config (entrypoint, env,
  # stop signal, health check, labels...) as it is: `docker import --change` would drop what it cannot express.
  inside sh -eu -c '
    source=$1 name=$2 work=/var/lib/docker/flatten
    rm -rf "$work" && mkdir -p "$work"
    container=$(docker create "$source")
    docker export "$container" >"$work/layer.tar"
    docker rm "$container" >/dev/null
    diff_id=$(sha256sum "$work/layer.tar" | cut -d" " -f1)
    printf "{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":%s,\"config\":%s,\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:%s\"]},\"history\":[{\"created\":%s,\"created_by\":\"built locally for Dockyard, flattened to one layer\"}]}" \
      "$(docker image inspect "$source" --format "{{json .Created}}")" \
      "$(docker image inspect "$source" --format "{{json .Config}}")" \
      "$diff_id" \
      "$(docker image inspect "$source" --format "{{json .Created}}")" >"$work/config.json"
    printf "[{\"Config\":\"config.json\",\"RepoTags\":[\"%s\"],\"Layers\":[\"layer.tar\"]}]" "$name" >"$work/manifest.json"
    docker rmi "$source" >/dev/null
    tar -C "$work" -c manifest.json config.json layer.tar | docker load -q >/dev/null
    rm -rf "$work"
  ' sh "$source" "$name"
  echo "catalog store: $name"
done

# Stop the daemon cleanly so the store holds no half-written state; the container ends with it.
inside sh -c 'kill -TERM "$(pidof dockerd)"' || true
docker wait "$builder" >/dev/null
done=1
