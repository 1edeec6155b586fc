#!/usr/bin/env bash
# Every test: installs what is missing (Debian packages, Rust tools, the Python
# environment, the Kafka jars), starts the real services, runs the format
# check, clippy -D warnings, all Rust tests and the Python tests, and stops the
# services it started. Safe to run repeatedly.
set -euo pipefail
# shellcheck source=scripts/setup.sh
. "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

t0=$(date +%s)
phase_start=$t0
phase() {
    local now; now=$(date +%s)
    [ -n "${current_phase:-}" ] && printf '    (%s: %ss)\n' "$current_phase" "$((now - phase_start))" >&2
    current_phase="$1"; phase_start=$now
    log "$1"
}

phase "setup"
ensure_build_tools
ensure_rust_tools
ensure_python
ensure_monitoring_tools
"$ABSTAT_ROOT/scripts/services.sh" install
use_target_cache
cd "$ABSTAT_ROOT"

phase "starting the real services"
trap '"$ABSTAT_ROOT/scripts/services.sh" stop' EXIT
"$ABSTAT_ROOT/scripts/services.sh" start
eval "$("$ABSTAT_ROOT/scripts/services.sh" env)"

phase "cargo fmt --check"
cargo fmt --all -- --check

phase "cargo clippy -D warnings"
cargo clippy --workspace --all-targets --all-features -- -D warnings

phase "Rust tests"
rust_log="$(mktemp)"
set +e
cargo test --workspace --all-features --no-fail-fast 2>&1 | tee "$rust_log"
rust_rc=${PIPESTATUS[0]}
set -e
rust_passed=$(awk '/^test result:/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^passed/) s += $i} END {print s + 0}' "$rust_log")
rust_failed=$(awk '/^test result:/ {for (i = 1; i <= NF; i++) if ($(i+1) ~ /^failed/) s += $i} END {print s + 0}' "$rust_log")
rm -f "$rust_log"
if [ "$rust_rc" -ne 0 ]; then
    echo "Rust tests failed (exit $rust_rc, $rust_failed failed)" >&2
    exit 1
fi
if [ "$rust_passed" -eq 0 ]; then
    echo "no Rust test ran: an empty selection is a failure, not a pass" >&2
    exit 1
fi

phase "service script tests"
svc_log="$(mktemp)"
scripts/test_services.sh 2>&1 | tee "$svc_log"
svc_passed=$(grep -Eo '^[0-9]+ passed' "$svc_log" | tail -n1 | awk '{print $1}')
rm -f "$svc_log"

phase "Python bindings"
ensure_abstat_py

phase "Python tests"
py_log="$(mktemp)"
set +e
"$ABSTAT_PYTHON" -m pytest tests/python -q -p no:cacheprovider 2>&1 | tee "$py_log"
py_rc=${PIPESTATUS[0]}
set -e
py_passed=$(grep -Eo '[0-9]+ passed' "$py_log" | tail -n1 | awk '{print $1}')
rm -f "$py_log"
case "$py_rc" in
    0) ;;
    5) echo "pytest collected no tests: an empty selection is a failure, not a pass" >&2; exit 1 ;;
    *) echo "Python tests failed (pytest exit $py_rc)" >&2; exit 1 ;;
esac

phase "done"
echo "total time: $(( $(date +%s) - t0 ))s"
echo "summary: $((rust_passed + ${svc_passed:-0} + ${py_passed:-0})) passed, 0 failed"
