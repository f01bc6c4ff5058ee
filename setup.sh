#!/usr/bin/env bash
# kefu set-up, build and test, for Debian 12 (as root, or a user with sudo).
#
#   ./setup.sh          install Debian packages, build, install kefu (/usr/local) and its Python
#                       package, then run `kefu demo` on the bundled defaults
#   ./setup.sh test     install Debian packages, build, run the whole test suite (ctest: C++, C ABI,
#                       CLI, Python), then again under AddressSanitizer + UndefinedBehaviorSanitizer
#   ./setup.sh build    install Debian packages and build into build/ only
#
# Environment: KEFU_JOBS (parallel jobs, default: cores), KEFU_SKIP_APT=1 (packages already there),
# KEFU_SKIP_ASAN=1 (test without the sanitizer pass).
set -euo pipefail
cd "$(dirname "$0")"

MODE=${1:-install}
PY=/usr/bin/python3   # Debian's interpreter: the one that has the python3-* packages below
JOBS=${KEFU_JOBS:-$(nproc)}

# Everything kefu needs, from Debian's archive. Keep in step with cmake/Dependencies.cmake.
DEBIAN_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git
  libspdlog-dev libfmt-dev libboost-dev libsqlite3-dev sqlite3 libyaml-cpp-dev nlohmann-json3-dev libabsl-dev libsimdjson-dev
  libcli11-dev libopencc-dev opencc libhyperscan-dev libutf8proc-dev libssl-dev
  libgtest-dev libgmock-dev
  python3 python3-dev python3-pybind11 pybind11-dev python3-pytest python3-pip python3-setuptools python3-wheel
  python3-aiohttp python3-uvloop   # kefu serve (adapters/python/kefu_serve)
)
# What the adapter tests need besides (./setup.sh test): Request Tracker 5 with SQLite and its standalone
# server for the end-to-end test, Chromium for the sidebar test, wrk for the service benchmark.
ADAPTER_TEST_PACKAGES=(request-tracker5 rt5-db-sqlite rt5-standalone rt5-clients chromium fonts-noto-cjk wrk)

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

install_packages() {
  [ "${KEFU_SKIP_APT:-0}" = 1 ] && return 0
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
}

install_node_packages() {  # koffi and playwright-core for the adapter tests (adapters/package-lock.json)
  command -v npm >/dev/null || return 0
  echo "==> installing npm packages in adapters/"
  npm ci --prefix adapters --ignore-scripts --no-audit --no-fund --loglevel=error
}

configure_build() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja -DPython3_EXECUTABLE=$PY "$@" >/dev/null
  echo "==> building in $dir"
  ninja -C "$dir" -j "$JOBS"
}

run_tests() {  # dir
  echo "==> testing in $1"
  ctest --test-dir "$1" --output-on-failure -j "$JOBS"
}

case "$MODE" in
  install)
    install_packages
    configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKEFU_BUILD_TESTS=OFF
    echo "==> installing kefu into /usr/local"
    as_root cmake --install build >/dev/null
    as_root ldconfig
    echo "==> installing the Python package for $PY"
    as_root env KEFU_BUILD_DIR="$PWD/build" $PY -m pip install --quiet --no-build-isolation --no-deps \
      --break-system-packages --root-user-action=ignore .
    echo "==> kefu demo"
    kefu demo
    ;;
  build)
    install_packages
    install_node_packages
    configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo
    ;;
  test)
    DEBIAN_PACKAGES+=("${ADAPTER_TEST_PACKAGES[@]}")
    command -v node >/dev/null || DEBIAN_PACKAGES+=(nodejs npm)
    install_packages
    install_node_packages
    configure_build build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKEFU_BUILD_TESTS=ON
    run_tests build
    if [ "${KEFU_SKIP_ASAN:-0}" != 1 ]; then
      # Python loads the module into an uninstrumented interpreter: it is tested in the pass above.
      configure_build build-asan -DCMAKE_BUILD_TYPE=Debug -DKEFU_SANITIZE=ON -DKEFU_BUILD_PYTHON=OFF
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 run_tests build-asan
    fi
    ;;
  *)
    echo "usage: ./setup.sh [install|test|build]" >&2
    exit 2
    ;;
esac
