#!/bin/sh
# Registers the runsc (gVisor) runtime in a Docker daemon.json without touching
# anything else in it: a team's engine keeps its storage driver, registry
# mirrors, log settings and other runtimes. An existing runsc entry is kept as
# it is. A file that is not valid JSON is left untouched and the script fails.
# gVisor needs --network=none as a runtime argument here: without it the
# sandbox fails to start and leaves an orphaned containerd shim behind.
# Usage: merge-daemon-json.sh /etc/docker/daemon.json   (prints what it did)
set -eu

file=$1
runsc='{"path": "/usr/bin/runsc", "runtimeArgs": ["--network=none"]}'

if [ ! -s "$file" ]; then
  mkdir -p "$(dirname "$file")"
  # A new file may also choose the storage driver; an existing one keeps its own.
  jq -n --argjson runsc "$runsc" '{runtimes: {runsc: $runsc}, "storage-driver": "overlay2"}' >"$file"
  echo "created $file with the runsc runtime"
  exit 0
fi

if ! jq -e 'type == "object"' "$file" >/dev/null 2>&1; then
  echo "$file is not a JSON object; left unchanged (fix it, then run again)" >&2
  exit 1
fi

if jq -e '.runtimes.runsc != null' "$file" >/dev/null; then
  echo "$file already registers runsc; left unchanged"
  exit 0
fi

merged=$(mktemp "$file.XXXXXX")
trap 'rm -f "$merged"' EXIT
jq --argjson runsc "$runsc" '.runtimes = ((.runtimes // {}) + {runsc: $runsc})' "$file" >"$merged"
chmod --reference="$file" "$merged" 2>/dev/null || true
mv "$merged" "$file"
trap - EXIT
echo "added the runsc runtime to $file (other settings kept)"
