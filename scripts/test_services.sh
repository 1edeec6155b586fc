#!/usr/bin/env bash
# Tests of scripts/services.sh's bookkeeping, on Redis (the quickest service):
# reuse on a second start, a pre-set ABSTAT_TEST_REDIS is honoured (nothing is
# started, and stop leaves it alone), stop stops only what it started, a stale
# address from an earlier run is replaced, bad arguments fail, and (with
# --kafka-cache) a partial Kafka jar cache is re-filled.
#
#   scripts/test_services.sh [--kafka-cache]
#
# Needs `scripts/services.sh install redis` (and `install kafka` for
# --kafka-cache). Uses private run dirs under a temporary directory.
set -euo pipefail

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
SERVICES="$SCRIPT_DIR/services.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/abstat-test-services.XXXXXX")
A="$WORK/a"
B="$WORK/b"

passed=0
failed=0
check() {
    local what=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
        echo "ok   $what"
    else
        failed=$((failed + 1))
        echo "FAIL $what"
    fi
}

cleanup() {
    ABSTAT_SERVICES_DIR="$B" "$SERVICES" stop >/dev/null 2>&1 || true
    ABSTAT_SERVICES_DIR="$A" "$SERVICES" stop >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT

svc() {
    local dir=$1
    shift
    env -u ABSTAT_TEST_KAFKA -u ABSTAT_TEST_REDIS -u ABSTAT_TEST_POSTGRES -u ABSTAT_TEST_CLICKHOUSE \
        ABSTAT_SERVICES_DIR="$dir" "$SERVICES" "$@"
}

redis_address() { sed -n 's/^export ABSTAT_TEST_REDIS=//p' "$1/env"; }
redis_pings() {
    local address=$1 hostport reply=
    hostport=${address#redis://}
    {
        exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}" &&
            printf 'PING\r\n' >&3 &&
            IFS= read -r -t 2 reply <&3
    } 2>/dev/null || return 1
    exec 3<&- 3>&-
    [[ $reply == +PONG* ]]
}
alive() { kill -0 "$1" 2>/dev/null; }
not() { ! "$@"; }
quiet() { "$@" >/dev/null 2>&1; }
contains() { [[ $1 == *"$2"* ]]; }

# --- start, reuse ---------------------------------------------------------
svc "$A" start redis >/dev/null 2>&1
addr=$(redis_address "$A")
pid=$(cat "$A/redis/pid")
check "start writes the address to <run dir>/env" contains "$addr" "redis://127.0.0.1:"
check "the started redis answers PING" redis_pings "$addr"
check "the recorded pid is alive" alive "$pid"

out=$(svc "$A" start redis 2>&1)
check "a second start reuses the running one" contains "$out" "reusing"
check "... at the same address" test "$(redis_address "$A")" = "$addr"
check "... with the same pid" test "$(cat "$A/redis/pid")" = "$pid"

out=$(ABSTAT_TEST_REDIS=$addr ABSTAT_SERVICES_DIR="$A" "$SERVICES" start redis 2>&1)
check "start with the variable of its own running service reuses it" contains "$out" "reusing"

# --- a pre-set variable is honoured -----------------------------------------
out=$(ABSTAT_TEST_REDIS=$addr ABSTAT_SERVICES_DIR="$B" "$SERVICES" start redis 2>&1)
check "with ABSTAT_TEST_REDIS set, start says it uses it" contains "$out" "not started here"
check "... starts no process (no pid recorded)" test ! -e "$B/redis/pid"
check "... and writes no redis log" test ! -e "$B/redis/redis.log"
check "... and its env file carries the given address" test "$(redis_address "$B")" = "$addr"
check "... status calls it external" contains "$(ABSTAT_SERVICES_DIR="$B" "$SERVICES" status redis)" external
ABSTAT_SERVICES_DIR="$B" "$SERVICES" stop >/dev/null 2>&1
check "stop leaves a service it did not start alone" alive "$pid"
check "... and it still answers PING" redis_pings "$addr"
check "... and drops it from the env file" test -z "$(redis_address "$B")"

out=$(ABSTAT_TEST_REDIS=redis://127.0.0.1:1 ABSTAT_SERVICES_DIR="$B" "$SERVICES" start redis 2>&1)
check "an unreachable pre-set address is used but warned about" contains "$out" "does not accept connections"
check "... still without starting anything" test ! -e "$B/redis/pid"

# --- stop -------------------------------------------------------------------
svc "$A" stop >/dev/null 2>&1
check "stop ends the process it started" not alive "$pid"
check "... and the env file no longer has it" test -z "$(redis_address "$A")"
check "... status says stopped" contains "$(svc "$A" status redis)" stopped
svc "$A" stop >/dev/null 2>&1
check "a second stop is harmless" true

# --- a stale variable from an earlier run -----------------------------------
out=$(ABSTAT_TEST_REDIS=$addr ABSTAT_SERVICES_DIR="$A" "$SERVICES" start redis 2>&1)
new_addr=$(redis_address "$A")
check "a variable left from a stopped run of ours starts a new service" contains "$out" "earlier run"
check "... which answers PING" redis_pings "$new_addr"
svc "$A" stop >/dev/null 2>&1

# --- bad arguments ----------------------------------------------------------
check "an unknown service name fails" not quiet svc "$A" start nosuch
check "an unknown command fails" not quiet svc "$A" frobnicate
check "env without a start fails" not quiet svc "$WORK/none" env

# --- the Kafka jar cache is only an optimisation -----------------------------
if [[ ${1:-} == --kafka-cache ]]; then
    cache="$WORK/cache/abstat/kafka-4.1.1"
    mkdir -p "$cache/libs"
    echo junk >"$cache/libs/kafka_2.13-4.1.1.jar"
    XDG_CACHE_HOME="$WORK/cache" "$SERVICES" install kafka >/dev/null 2>&1
    check "a cache without its completion marker is re-filled" test -f "$cache/libs.complete"
    check "... with real jars" test "$(find "$cache/libs" -name '*.jar' -size +100k | wc -l)" -gt 50
    rm "$cache/libs/kafka-clients-4.1.1.jar"
    out=$(XDG_CACHE_HOME="$WORK/cache" svc "$WORK/k" start kafka 2>&1 || true)
    check "start refuses a cache with a jar missing" contains "$out" "install kafka"
    XDG_CACHE_HOME="$WORK/cache" "$SERVICES" install kafka >/dev/null 2>&1
    check "install re-fills a cache with a jar missing" test -s "$cache/libs/kafka-clients-4.1.1.jar"
    out=$(XDG_CACHE_HOME="$WORK/cache" "$SERVICES" install kafka 2>&1)
    check "a complete cache is kept" contains "$out" "already in"
fi

echo "$passed passed, $failed failed"
((failed == 0))
