#!/usr/bin/env bash
# Measures tinyredis with Redis 7.0's own Tcl test suite and writes the per-unit table into
# docs/compatibility.md (section "Redis Tcl test suite", between the compat-table markers).
#
# It starts three storage nodes and a gateway (the debug binaries by default, the release ones with
# --release), runs ../shared/compat/redis-tcl.sh against the gateway, then the same units against a
# private real redis-server (--reference), and prints both tables side by side.
#
#   scripts/compat-table.sh [--release] [--no-build] [--units "unit/sort unit/dump"] [--no-reference]
#
# The units run one after another, each on a fresh cluster (the Tcl harness listens on a fixed port
# of its own, so two runs cannot share a machine's network namespace).
#
# --no-build uses the binaries already in target/<profile>; otherwise `cargo build --workspace --bins`
# (with --release for --release) brings them up to date first. Logs of each run are kept under
# ~/.cache/tinyredis-compat/logs (the paths are printed). The docs file is only rewritten when all
# default units ran and the reference run was done.
set -euo pipefail
cd "$(dirname "$0")/.."

DEFAULT_UNITS="unit/type/string unit/type/incr unit/type/hash unit/type/list unit/type/set unit/type/zset unit/expire unit/keyspace unit/scan unit/bitops unit/bitfield unit/hyperloglog unit/sort unit/dump"
units=$DEFAULT_UNITS
profile=debug
build=1
reference=1
while [ $# -gt 0 ]; do
  case "$1" in
    --release) profile=release; shift;;
    --no-build) build=0; shift;;
    --no-reference) reference=0; shift;;
    --units) units=$2; shift 2;;
    *) echo "unknown option $1" >&2; exit 2;;
  esac
done

tcl=../shared/compat/redis-tcl.sh
[ -x "$tcl" ] || [ -f "$tcl" ] || { echo "missing $tcl (see ../shared/compat/README.md)" >&2; exit 2; }

target=${CARGO_TARGET_DIR:-target}
if [ "$build" = 1 ]; then
  if [ "$profile" = release ]; then cargo build --workspace --bins --release; else cargo build --workspace --bins; fi
fi
bin="$target/$profile"
for b in tinyredis-node tinyredis-gateway; do
  [ -x "$bin/$b" ] || { echo "missing $bin/$b (build it or drop --no-build)" >&2; exit 2; }
done

# Ports away from the defaults of local-cluster.sh (6379, 7001-7003) and of the reference (6399):
# job j uses gateway port 16379+j and node ports 17101+10j to 17103+10j.
gw_base=${COMPAT_GATEWAY_PORT:-16379}
node_base=${COMPAT_NODE_PORT_BASE:-17101}
data=$(mktemp -d /tmp/tinyredis-compat.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$data"
}
trap cleanup EXIT INT TERM

# Starts cluster `$1`: three nodes and a gateway, and waits until a write goes through.
start_cluster() {
  local j=$1 gw=$((gw_base + $1)) first=$((node_base + 10 * $1)) nodes="" i port role
  for i in 1 2 3; do
    port=$((first + i - 1))
    nodes="${nodes:+$nodes,}127.0.0.1:$port"
    if [ "$i" = 1 ]; then role=(--bootstrap); else role=(--join "127.0.0.1:$first"); fi
    "$bin/tinyredis-node" --node-id "$i" --data-dir "$data/c$j/node$i" --listen "127.0.0.1:$port" "${role[@]}" \
      >"$data/c$j-node$i.log" 2>&1 &
    pids+=($!)
    [ "$i" = 1 ] && sleep 1
  done
  "$bin/tinyredis-gateway" --listen "127.0.0.1:$gw" --nodes "$nodes" >"$data/c$j-gateway.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    [ "$(redis-cli -p "$gw" set compat:ready 1 2>/dev/null)" = OK ] && break
    sleep 0.2
  done
  [ "$(redis-cli -p "$gw" del compat:ready 2>/dev/null)" = 1 ] || { echo "cluster $j did not start; logs:" >&2; tail -n 20 "$data"/c$j-*.log >&2; exit 1; }
}

# Each unit runs on a fresh cluster, as the reference runs each unit on a fresh redis-server: a
# unit's CONFIG SETs (encoding thresholds, …) must not leak into the next. The rows are printed
# in the order of $units with a TOTAL row, as redis-tcl.sh does.
stop_cluster() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  pids=()
  rm -rf "$data/c0"
}
echo "== tinyredis ($profile binaries, three nodes and a gateway)"
logs=${COMPAT_LOGS:-$HOME/.cache/tinyredis-compat/logs/$(date +%Y%m%d-%H%M%S)-tinyredis}
for u in $units; do
  start_cluster 0
  COMPAT_LOGS=$logs bash "$tcl" --port "$gw_base" --units "$u" >"$data/unit.out" 2>&1 || true
  stop_cluster
  grep -h "^unit/\|^logs:" "$data/unit.out" >>"$data/job0.out" || true
done
ours=$(mktemp); theirs=$(mktemp)
{
  printf "%-22s %5s %5s %4s %6s\n" unit ok err exc secs
  for u in $units; do grep -h "^$u " "$data"/job*.out || printf "%-22s %5s %5s %4s\n" "$u" - - -; done
  cat "$data"/job*.out | awk '$1 ~ /^unit\// { ok += $2; err += $3; exc += $4 } END { printf "%-22s %5d %5d %4d\n", "TOTAL", ok, err, exc }'
  grep -h "^logs:" "$data"/job*.out | sort -u
} | tee "$ours"
if [ "$reference" = 1 ]; then
  echo "== redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') (reference)"
  bash "$tcl" --reference --units "$units" | tee "$theirs"
fi

# One markdown row per unit: tinyredis ok/err/exception, then Redis's.
table=$(awk '
  FNR == 1 { file++ }
  $1 ~ /^unit\// || $1 == "TOTAL" {
    if (file == 1) { ours[$1] = $2 " | " $3 " | " $4; order[++n] = $1 }
    else { theirs[$1] = $2 " | " $3 " | " $4 }
  }
  END {
    print "| unit | tinyredis ok | err | exception | Redis 7.0.15 ok | err | exception |"
    print "|---|---:|---:|---:|---:|---:|---:|"
    for (i = 1; i <= n; i++) {
      u = order[i]; t = (u in theirs) ? theirs[u] : "- | - | -"
      name = (u == "TOTAL") ? "**total**" : "`" u "`"
      print "| " name " | " ours[u] " | " t " |"
    }
  }' "$ours" "$theirs")
rm -f "$ours" "$theirs"
echo
echo "$table"

if [ "$units" != "$DEFAULT_UNITS" ] || [ "$reference" = 0 ]; then
  echo "(partial run: docs/compatibility.md left as is)"
  exit 0
fi

doc=docs/compatibility.md
mkdir -p docs
[ -f "$doc" ] || printf '# Compatibility\n' >"$doc"
if ! grep -q '^## Redis Tcl test suite' "$doc"; then
  printf '\n## Redis Tcl test suite\n\n<!-- compat-table:begin -->\n<!-- compat-table:end -->\n' >>"$doc"
fi
stamp="Measured $(date -u +%Y-%m-%d) on \`main\` at $(git rev-parse --short HEAD) by \`scripts/compat-table.sh\` ($profile binaries, three nodes and a gateway; the reference is a private redis-server in the same mode, strict, on the same machine)."
block=$(printf '%s\n\n%s\n' "$stamp" "$table")
BLOCK="$block" awk '
  /<!-- compat-table:begin -->/ { print; print ENVIRON["BLOCK"]; skip = 1; next }
  /<!-- compat-table:end -->/ { skip = 0 }
  !skip { print }' "$doc" >"$doc.tmp"
mv "$doc.tmp" "$doc"
echo "wrote the table into $doc"
