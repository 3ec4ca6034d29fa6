#!/usr/bin/env bash
# The side-by-side benchmark (issue #6): redis-server 7.0 (persistence off, and appendfsync
# always), tinyredis (one gateway + three nodes) and etcd 3.4 (three members), one after another
# on this machine with the same load generators. Prints the table and writes
# target/bench/results.json and results.txt. See docs/benchmark.md for the method.
#
# Usage: scripts/bench.sh            (the full run: three runs of the throughput suite, ~10 min after the build)
#        BENCH_RUNS=1 BENCH_SECONDS=0.5 BENCH_KEYS=50000 scripts/bench.sh   (a quick check)
# Other settings: tinyredis-bench run --help (every flag has a BENCH_* variable).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh redis-server redis-tools etcd-server etcd-client
echo "building release binaries (the first build compiles RocksDB: several minutes)..."
cargo build --release --workspace --bins
bin="${CARGO_TARGET_DIR:-target}/release"

export BENCH_COMMAND="${BENCH_COMMAND:-$(env | grep -o '^BENCH_[A-Z_]*=[^ ]*' | grep -v '^BENCH_COMMAND=' | tr '\n' ' ')scripts/bench.sh $*}"
exec "$bin/tinyredis-bench" run --bin-dir "$bin" "$@"
