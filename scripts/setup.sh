#!/usr/bin/env bash
# Installs what abstat needs to build and test, skipping what is present.
# Sourced by scripts/run.sh and scripts/test.sh; also runnable alone:
#   scripts/setup.sh run    # what `abstat serve` needs: build tools, Rust
#   scripts/setup.sh test   # + clippy/rustfmt, the Python venv, the services
set -euo pipefail

ABSTAT_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ABSTAT_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/abstat"
RUST_MIN="1.95"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

_apt_updated=0
# ensure_apt PKG...: install the Debian packages that are not installed yet.
ensure_apt() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing Debian packages: ${missing[*]}"
    if [ "$_apt_updated" -eq 0 ]; then
        as_root apt-get update -qq
        _apt_updated=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

ensure_rust() {
    # shellcheck disable=SC1091
    [ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
    if ! command -v cargo >/dev/null 2>&1; then
        log "installing Rust with rustup"
        ensure_apt curl ca-certificates
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal --component clippy,rustfmt
        # shellcheck disable=SC1091
        . "$HOME/.cargo/env"
    fi
    local have
    have="$(rustc --version | awk '{print $2}')"
    if ! version_ge "$have" "$RUST_MIN"; then
        if command -v rustup >/dev/null 2>&1; then
            log "Rust $have is older than $RUST_MIN: updating"
            rustup update stable
        else
            echo "Rust $have is older than $RUST_MIN and rustup is not installed; install Rust $RUST_MIN+ from https://rustup.rs" >&2
            exit 1
        fi
    fi
}

ensure_rust_tools() {
    cargo clippy --version >/dev/null 2>&1 || { log "adding clippy"; rustup component add clippy; }
    cargo fmt --version >/dev/null 2>&1 || { log "adding rustfmt"; rustup component add rustfmt; }
}

ensure_build_tools() {
    # build-essential: the C parts (librdkafka, zstd); pkg-config + libssl-dev: TLS clients.
    ensure_apt build-essential pkg-config libssl-dev zlib1g-dev python3 curl ca-certificates
    ensure_rust
}

# promtool (Debian's prometheus package) checks deploy/prometheus/ in the tests.
ensure_monitoring_tools() {
    ensure_apt prometheus
}

# The Python venv for the reference fixtures and the Python tests lives in the
# cache, keyed by the requirements, so a fresh clone reuses it; a missing one is
# simply rebuilt.
ensure_python() {
    local key
    key="$(sha256sum "$ABSTAT_ROOT/requirements-dev.txt" | cut -c1-12)"
    ABSTAT_VENV="$ABSTAT_CACHE/venv-$key"
    if [ ! -x "$ABSTAT_VENV/bin/python" ] || [ ! -f "$ABSTAT_VENV/.complete" ]; then
        python3 -m venv --help >/dev/null 2>&1 || ensure_apt python3-venv
        python3 -c 'import ensurepip' >/dev/null 2>&1 || ensure_apt python3-venv
        log "creating the Python environment $ABSTAT_VENV"
        rm -rf "$ABSTAT_VENV"
        python3 -m venv "$ABSTAT_VENV"
        "$ABSTAT_VENV/bin/python" -m pip install -q --upgrade pip
        # Lines marked "no-deps" (gbstats) go in without their declared dependencies.
        grep -v 'no-deps' "$ABSTAT_ROOT/requirements-dev.txt" \
            | "$ABSTAT_VENV/bin/python" -m pip install -q -r /dev/stdin
        grep -E '^[^#].*# no-deps' "$ABSTAT_ROOT/requirements-dev.txt" \
            | "$ABSTAT_VENV/bin/python" -m pip install -q --no-deps -r /dev/stdin
        touch "$ABSTAT_VENV/.complete"
    fi
    export ABSTAT_VENV
    export ABSTAT_PYTHON="$ABSTAT_VENV/bin/python"
}

# Builds the Python bindings (abstat-py) with maturin and installs them into
# the venv (editable: the pure-Python part is read from the clone). Uses the
# cargo target dir in effect (the shared cache under scripts/test.sh), so a
# rebuild is incremental; skipped entirely when no source file changed since
# the last build into this venv.
ensure_abstat_py() {
    local stamp="$ABSTAT_VENV/.abstat-py-built" key
    key="$(cd "$ABSTAT_ROOT" && find Cargo.toml Cargo.lock abstat-py abstat-core/Cargo.toml abstat-core/src \
        abstat-io/Cargo.toml abstat-io/src -type f -not -name '*.pyc' -not -path '*/target/*' -print0 \
        | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-16)"
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$key" ] && "$ABSTAT_PYTHON" -c 'import abstat._abstat' 2>/dev/null; then
        return 0
    fi
    log "building the Python bindings (maturin develop)"
    VIRTUAL_ENV="$ABSTAT_VENV" PATH="$ABSTAT_VENV/bin:$PATH" \
        "$ABSTAT_VENV/bin/maturin" develop -q -m "$ABSTAT_ROOT/abstat-py/Cargo.toml" >&2
    echo "$key" >"$stamp"
}

# The build cache may live outside the clone so that fresh clones (CI) reuse
# it; nothing depends on it existing.
use_target_cache() {
    export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ABSTAT_CACHE/target}"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    case "${1:-}" in
        run) ensure_build_tools ;;
        test)
            ensure_build_tools
            ensure_rust_tools
            ensure_python
            (use_target_cache && ensure_abstat_py)
            "$ABSTAT_ROOT/scripts/services.sh" install
            ;;
        *) echo "usage: $0 run|test" >&2; exit 2 ;;
    esac
fi
