#!/usr/bin/env bash
# Installs what building and testing tinyredis needs on a fresh Debian/Ubuntu machine: a C++
# compiler and libclang (RocksDB is compiled from source and its bindings are generated with
# bindgen), promtool (package prometheus) for the metrics tests, redis-server (the end-to-end
# tests compare DUMP/RESTORE with a real Redis 7.0), and the real Redis tools the compatibility
# tests drive: redis-cli and redis-benchmark (redis-tools), redis_exporter
# (prometheus-redis-exporter), and redis-py from PyPI in a virtualenv (python3-venv) at
# $TINYREDIS_PY_VENV (default ~/.cache/tinyredis-pyvenv).
# Does nothing when everything is already there. Pass extra Debian package names as arguments to
# install them too (CI uses this for redis-tools).
set -euo pipefail

have_libclang() {
  ldconfig -p 2>/dev/null | grep -q 'libclang\(-[0-9.]*\)\?\.so' && return 0
  compgen -G '/usr/lib/llvm-*/lib/libclang*.so*' >/dev/null && return 0
  compgen -G '/usr/lib/x86_64-linux-gnu/libclang*.so*' >/dev/null && return 0
  return 1
}

packages=()
have_libclang || packages+=(libclang-dev)
command -v c++ >/dev/null 2>&1 || packages+=(g++)
command -v make >/dev/null 2>&1 || packages+=(make)
# The metrics tests check both binaries' /metrics output with promtool (Debian's prometheus package).
command -v promtool >/dev/null 2>&1 || packages+=(prometheus)
# The end-to-end tests move keys between tinyredis and a real redis-server (DUMP/RESTORE).
command -v redis-server >/dev/null 2>&1 || packages+=(redis-server)
# The compatibility tests (tests/it/tools.rs) run the real tools.
command -v redis-cli >/dev/null 2>&1 || packages+=(redis-tools)
command -v redis-benchmark >/dev/null 2>&1 || packages+=(redis-tools)
command -v prometheus-redis-exporter >/dev/null 2>&1 || packages+=(prometheus-redis-exporter)
/usr/bin/python3 -c 'import ensurepip' >/dev/null 2>&1 || packages+=(python3-venv)
for p in "$@"; do
  dpkg -s "$p" >/dev/null 2>&1 || packages+=("$p")
done

# redis-py from PyPI, in a virtualenv of the system Python (the tests run $venv/bin/python).
install_redis_py() {
  local venv="${TINYREDIS_PY_VENV:-${HOME:-/tmp}/.cache/tinyredis-pyvenv}"
  "$venv/bin/python" -c 'import redis' >/dev/null 2>&1 && return 0
  echo "install-deps: installing redis-py into $venv" >&2
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'redis>=5,<9'
}

if [ ${#packages[@]} -eq 0 ]; then
  install_redis_py
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-deps: please install: ${packages[*]} (libclang and a C++ compiler are needed to build RocksDB)" >&2
  exit 1
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  sudo="sudo"
fi
echo "install-deps: installing ${packages[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq || echo "install-deps: apt-get update failed; trying the install anyway" >&2
$sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
install_redis_py
