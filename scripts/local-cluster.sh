#!/usr/bin/env bash
# Starts a local tinyredis: three storage nodes (gRPC 127.0.0.1:7001-7003, metrics 9101-9103) and a
# gateway on 127.0.0.1:6379 (metrics 9100), as separate processes, with data under ./data. Ctrl-C
# stops them all.
# Running it again restarts from the data in ./data (the nodes ignore --bootstrap/--join then).
#
# Usage: scripts/local-cluster.sh [--debug]   (default: release build)
set -euo pipefail
cd "$(dirname "$0")/.."

profile=release
[ "${1:-}" = "--debug" ] && profile=debug

scripts/install-deps.sh
if [ "$profile" = release ]; then
  echo "building release binaries (the first build compiles RocksDB: several minutes)..."
  cargo build --release --bins
else
  cargo build --bins
fi
bin="target/$profile"

data="${TINYREDIS_DATA:-./data}"
mkdir -p "$data/logs"

# Stop everything this script started on Ctrl-C, on error and on exit.
trap 'trap - INT TERM EXIT; echo; echo "stopping tinyredis..."; kill 0 2>/dev/null; wait 2>/dev/null; exit 0' INT TERM EXIT

run() {
  local name="$1"; shift
  # Each process logs to the terminal (prefixed) and to $data/logs/<name>.log.
  ("$@" 2>&1 | sed -u "s/^/[$name] /" | tee -a "$data/logs/$name.log") &
}

run node1 "$bin/tinyredis-node" --node-id 1 --data-dir "$data/node1" --listen 127.0.0.1:7001 --metrics-listen 127.0.0.1:9101 --bootstrap
sleep 0.5
run node2 "$bin/tinyredis-node" --node-id 2 --data-dir "$data/node2" --listen 127.0.0.1:7002 --metrics-listen 127.0.0.1:9102 --join 127.0.0.1:7001
run node3 "$bin/tinyredis-node" --node-id 3 --data-dir "$data/node3" --listen 127.0.0.1:7003 --metrics-listen 127.0.0.1:9103 --join 127.0.0.1:7001
run gateway "$bin/tinyredis-gateway" --listen 127.0.0.1:6379 --nodes 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003 --metrics-listen 127.0.0.1:9100

echo "tinyredis is starting: gateway on 127.0.0.1:6379, data in $data, logs in $data/logs. Ctrl-C stops it."
echo "metrics and probes: http://127.0.0.1:9100/metrics (gateway), :9101-9103 (nodes); /livez, /readyz"
wait
