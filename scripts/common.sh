# Shared by scripts/run, scripts/test and scripts/bench: install what is missing on a Debian
# machine, then configure and build. Source it; do not run it. Everything it prints goes to
# stderr, so that a script's stdout is its program's (`scripts/run --list-params | grep x`).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# `--help`/`-h` as the first argument of a script: print its header comment (the lines after
# `#!` up to the first line that is not a comment) and exit 0. Every shell script calls it
# first, before installing or building anything.
script_help() {
    case "${1:-}" in
    -h | --help) ;;
    *) return 0 ;;
    esac
    sed -n '2,/^[^#]/{/^#/s/^# \{0,1\}//p}' "$0"
    exit 0
}

# Debian packages the project needs. gtkwave provides vcd2fst/fst2vcd (VCD test, FST export);
# python3-matplotlib draws the study plots; python3-yaml reads YAML sweep files.
PACKAGES=(cmake ninja-build g++ pkg-config libsystemc-dev libboost-program-options-dev
          nlohmann-json3-dev libgtest-dev python3 python3-matplotlib python3-yaml gtkwave)

ensure_packages() {
    local missing=() p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    echo "installing missing Debian packages: ${missing[*]}" >&2
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

# build DIR [cmake args...]: configures and builds BUILD_TARGETS (default: everything, the
# tests included), all output on stderr.
BUILD_TARGETS=()
build() {
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    local targets=()
    ((${#BUILD_TARGETS[@]})) && targets=(--target "${BUILD_TARGETS[@]}")
    cmake --build "$dir" -j "$(nproc)" "${targets[@]}" >&2
}

# Debian's interpreter: the one apt installs python3-matplotlib and python3-yaml into (a
# python3 earlier on PATH, from pyenv or a virtualenv, may not see them).
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
