# Shared by scripts/run, scripts/test and scripts/bench: install what is missing on a Debian
# machine, then configure and build. Source it; do not run it.

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

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
    echo "installing missing Debian packages: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# build DIR [cmake args...]
build() {
    local dir=$1
    shift
    cmake -S "$ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
    cmake --build "$dir" -j "$(nproc)"
}

# Debian's interpreter: the one apt installs python3-matplotlib and python3-yaml into (a
# python3 earlier on PATH, from pyenv or a virtualenv, may not see them).
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi
