#!/usr/bin/env bash
# Runs every tinyredis test: unit tests and the end-to-end suite (real nodes and gateways on free
# ports). Installs the build dependencies first if the machine lacks them.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
# The end-to-end tests start the real binaries, so build them first.
cargo build --workspace --bins
cargo test --workspace "$@"
