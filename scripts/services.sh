#!/usr/bin/env bash
# Real services for abstat's tests: Kafka, Redis, PostgreSQL and ClickHouse,
# each started on 127.0.0.1 on a free port with all its state in one run dir.
#
#   scripts/services.sh install [NAME...]  Debian packages and the Kafka jars (idempotent)
#   scripts/services.sh start   [NAME...]  start (or reuse) services, write <run dir>/env
#   scripts/services.sh stop    [NAME...]  stop what this script started, nothing else
#   scripts/services.sh restart kafka      restart the broker started here, keeping its port and data
#   scripts/services.sh env                print <run dir>/env (export VAR=... lines)
#   scripts/services.sh status  [NAME...]  what runs where
#
# NAME is one of kafka redis postgres clickhouse (default: all four).
# A service whose variable is already set is used as it is and never started
# or stopped here: ABSTAT_TEST_KAFKA=host:port, ABSTAT_TEST_REDIS=redis://host:port,
# ABSTAT_TEST_POSTGRES=postgres://user:pass@host:port/db,
# ABSTAT_TEST_CLICKHOUSE=http://host:port.
#
# Typical use:
#   scripts/services.sh install && scripts/services.sh start
#   source target/services/env
#   cargo test -p abstat-server --features kafka,redis,postgres,clickhouse --test services
#   scripts/services.sh stop
#
# Settings: ABSTAT_SERVICES_DIR (run dir, default <repo>/target/services),
# ABSTAT_SERVICES_TIMEOUT (seconds to wait for a service, default 120),
# XDG_CACHE_HOME (Kafka jars go to ${XDG_CACHE_HOME:-$HOME/.cache}/abstat/kafka-4.1.1).
set -euo pipefail

readonly ALL_SERVICES=(kafka redis postgres clickhouse)
readonly KAFKA_VERSION=4.1.1
readonly PG_BIN=/usr/lib/postgresql/15/bin

SCRIPT_DIR=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd -- "$SCRIPT_DIR/.." && pwd)
TEMPLATES="$SCRIPT_DIR/services"
RUN_DIR=${ABSTAT_SERVICES_DIR:-$REPO_DIR/target/services}
TIMEOUT=${ABSTAT_SERVICES_TIMEOUT:-120}
KAFKA_CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/abstat/kafka-$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_CACHE/libs"
KAFKA_MARKER="$KAFKA_CACHE/libs.complete"
readonly SCRIPT_DIR REPO_DIR TEMPLATES RUN_DIR TIMEOUT KAFKA_CACHE KAFKA_LIBS KAFKA_MARKER

log() { printf '%s\n' "services: $*" >&2; }
die() {
    log "error: $*"
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//' >&2
    exit "${1:-2}"
}

# ---------------------------------------------------------------------------
# helpers

env_var_of() {
    case $1 in
        kafka) echo ABSTAT_TEST_KAFKA ;;
        redis) echo ABSTAT_TEST_REDIS ;;
        postgres) echo ABSTAT_TEST_POSTGRES ;;
        clickhouse) echo ABSTAT_TEST_CLICKHOUSE ;;
        *) die "unknown service '$1' (expected one of: ${ALL_SERVICES[*]})" ;;
    esac
}

# NAMES: the services named on the command line (default all), validated.
NAMES=()
select_services() {
    local name
    if (($# == 0)); then
        NAMES=("${ALL_SERVICES[@]}")
        return
    fi
    NAMES=()
    for name in "$@"; do
        case " ${ALL_SERVICES[*]} " in
            *" $name "*) NAMES+=("$name") ;;
            *) die "unknown service '$name' (expected one of: ${ALL_SERVICES[*]})" ;;
        esac
    done
}

is_alive() { [[ -n ${1:-} ]] && kill -0 "$1" 2>/dev/null; }

# 0 if something accepts TCP connections on 127.0.0.1:$1 (or $2:$1).
port_open() {
    local port=$1 host=${2:-127.0.0.1}
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# Ports handed out during this run, so two services never get the same one.
PICKED_PORTS=" "
FREE_PORT=
# Sets FREE_PORT to a port on 127.0.0.1 that nothing listens on or is bound
# to, below the kernel's ephemeral range (32768-60999) so outgoing connections
# can't take it. (A global, not stdout: $(...) would lose PICKED_PORTS.)
free_port() {
    local port tries
    for ((tries = 0; tries < 200; tries++)); do
        port=$((20000 + RANDOM % 12000))
        [[ $PICKED_PORTS == *" $port "* ]] && continue
        port_open "$port" && continue
        if command -v ss >/dev/null 2>&1 && [[ -n $(ss -Htan "( sport = :$port )" 2>/dev/null) ]]; then
            continue
        fi
        PICKED_PORTS+="$port "
        FREE_PORT=$port
        return 0
    done
    die "no free port found"
}

# wait_until DESCRIPTION LOGFILE PID COMMAND...: run COMMAND every half second
# until it succeeds; fail with the log's tail if PID dies or TIMEOUT passes.
wait_until() {
    local what=$1 logfile=$2 pid=$3
    shift 3
    local deadline=$((SECONDS + TIMEOUT))
    until "$@"; do
        if [[ -n $pid ]] && ! is_alive "$pid"; then
            show_log_tail "$logfile"
            die "$what: the process (pid $pid) exited before it was ready"
        fi
        if ((SECONDS >= deadline)); then
            show_log_tail "$logfile"
            terminate "$pid"
            die "$what: not ready after ${TIMEOUT}s (stopped it)"
        fi
        sleep 0.5
    done
}

show_log_tail() {
    local f
    for f in "$@"; do
        [[ -f $f ]] || continue
        log "---- last lines of $f ----"
        tail -n 40 "$f" >&2 || true
        log "----"
    done
}

# Replace @KEY@ placeholders: fill_template TEMPLATE OUT KEY=VALUE...
fill_template() {
    local template=$1 out=$2 kv key value text
    shift 2
    text=$(<"$template")
    for kv in "$@"; do
        key=${kv%%=*}
        value=${kv#*=}
        text=${text//@"$key"@/$value}
    done
    printf '%s\n' "$text" >"$out"
}

# start_background NAME LOGFILE COMMAND...: start COMMAND in the background
# in its own session (so it outlives this script and the shell that ran it),
# stdout/stderr to LOGFILE, without our lock fd; sets BG_PID and records it at
# once, so `stop` finds it even if this script is interrupted before it is ready.
BG_PID=
start_background() {
    local name=$1 logfile=$2
    shift 2
    setsid "$@" </dev/null >>"$logfile" 2>&1 9>&- &
    BG_PID=$!
    echo "$BG_PID" >"$(state_dir "$name")/pid"
}

# Per-service state: <run dir>/<name>/{pid,address,env,external}.
state_dir() { echo "$RUN_DIR/$1"; }
recorded_pid() { cat "$(state_dir "$1")/pid" 2>/dev/null || true; }
recorded_address() { cat "$(state_dir "$1")/address" 2>/dev/null || true; }

# Is the process recorded for $1 ours and alive? (A recycled PID running
# something else does not count.)
service_running() {
    local name=$1 pid
    pid=$(recorded_pid "$name")
    is_alive "$pid" || return 1
    local cmdline
    cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null || true)
    case $name in
        kafka) [[ $cmdline == *kafka.Kafka* ]] ;;
        redis) [[ $cmdline == *redis-server* ]] ;;
        postgres) [[ $cmdline == *postgres* ]] ;;
        clickhouse) [[ $cmdline == *clickhouse* ]] ;;
    esac
}

# Running and was ready: the address is recorded only once it answered.
service_ready() {
    service_running "$1" && [[ -s $(state_dir "$1")/address ]]
}

record_started() {
    local name=$1 pid=$2 address=$3 var dir
    var=$(env_var_of "$name")
    dir=$(state_dir "$name")
    echo "$pid" >"$dir/pid"
    echo "$address" >"$dir/address"
    rm -f "$dir/external"
    printf 'export %s=%q\n' "$var" "$address" >"$dir/env"
}

record_external() {
    local name=$1 address=$2 var dir
    var=$(env_var_of "$name")
    dir=$(state_dir "$name")
    mkdir -p "$dir"
    rm -f "$dir/pid"
    echo "$address" >"$dir/address"
    touch "$dir/external"
    printf 'export %s=%q\n' "$var" "$address" >"$dir/env"
}

# <run dir>/env: one export line per service that is running or external.
write_env_file() {
    local name tmp
    tmp="$RUN_DIR/env.tmp.$$"
    {
        echo "# Written by scripts/services.sh; source it: . $RUN_DIR/env"
        for name in "${ALL_SERVICES[@]}"; do
            cat "$(state_dir "$name")/env" 2>/dev/null || true
        done
    } >"$tmp"
    mv -f "$tmp" "$RUN_DIR/env"
}

# host and port of an address like scheme://user:pass@host:port/db or host:port.
host_port_of() {
    local rest=${1#*://}
    rest=${rest##*@}
    rest=${rest%%/*}
    rest=${rest%%\?*}
    local host=${rest%:*} port=${rest##*:}
    host=${host#[}
    host=${host%]}
    [[ $host == localhost ]] && host=127.0.0.1
    echo "$host $port"
}

lock_run_dir() {
    mkdir -p "$RUN_DIR"
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$RUN_DIR/.lock"
        flock -w 600 9 || die "another scripts/services.sh holds $RUN_DIR/.lock"
    fi
}

as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo "$@"
    else
        die "need root (or sudo) for: $*"
    fi
}

# ---------------------------------------------------------------------------
# install

package_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true) == "install ok installed" ]]
}

APT_UPDATED=0
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        package_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0
    log "installing Debian packages: ${missing[*]}"
    if ((APT_UPDATED == 0)); then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# The completion marker holds the pom's hash and the names of the jars copied:
# the cache counts only if the pom is unchanged and every jar is still there.
kafka_cache_complete() {
    local want=$1 have jar
    [[ -f $KAFKA_MARKER ]] || return 1
    have=$(head -n1 "$KAFKA_MARKER")
    [[ $have == "$want" ]] || return 1
    while IFS= read -r jar; do
        [[ -s $KAFKA_LIBS/$jar ]] || return 1
    done < <(tail -n +2 "$KAFKA_MARKER")
    [[ -s $KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar ]]
}

install_kafka_jars() {
    local pom="$TEMPLATES/kafka/pom.xml" want
    want=$(sha256sum "$pom" | cut -d' ' -f1)
    mkdir -p "$KAFKA_CACHE"
    # The cache is shared by every checkout: one filler at a time.
    if command -v flock >/dev/null 2>&1; then
        exec 8>"$KAFKA_CACHE/.lock"
        flock -w 900 8 || die "kafka: another install holds $KAFKA_CACHE/.lock"
    fi
    if kafka_cache_complete "$want"; then
        log "kafka: jars already in $KAFKA_LIBS"
        exec 8>&-
        return 0
    fi
    log "kafka: copying the Kafka $KAFKA_VERSION jars from Maven into $KAFKA_LIBS"
    rm -f "$KAFKA_MARKER"
    local tmp="$KAFKA_CACHE/libs.partial"
    rm -rf "$tmp"
    mvn -B -Dstyle.color=never -f "$pom" dependency:copy-dependencies \
        -DoutputDirectory="$tmp" -DincludeScope=runtime >"$KAFKA_CACHE/mvn.log" 2>&1 || {
        show_log_tail "$KAFKA_CACHE/mvn.log"
        die "kafka: mvn dependency:copy-dependencies failed"
    }
    [[ -s $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] ||
        die "kafka: kafka_2.13-$KAFKA_VERSION.jar missing after the copy"
    rm -rf "$KAFKA_LIBS"
    mv "$tmp" "$KAFKA_LIBS"
    {
        echo "$want"
        (cd "$KAFKA_LIBS" && find . -maxdepth 1 -name '*.jar' -printf '%f\n' | sort)
    } >"$KAFKA_MARKER.tmp"
    mv -f "$KAFKA_MARKER.tmp" "$KAFKA_MARKER"
    exec 8>&-
    log "kafka: $(($(wc -l <"$KAFKA_MARKER") - 1)) jars in $KAFKA_LIBS"
}

cmd_install() {
    local name pkgs=()
    select_services "$@"
    for name in "${NAMES[@]}"; do
        case $name in
            kafka)
                command -v java >/dev/null 2>&1 || pkgs+=(openjdk-17-jre-headless)
                pkgs+=(maven)
                ;;
            redis) pkgs+=(redis-server) ;;
            postgres) pkgs+=(postgresql) ;;
            clickhouse) pkgs+=(clickhouse-server) ;;
        esac
    done
    apt_install "${pkgs[@]}"
    for name in "${NAMES[@]}"; do
        [[ $name == kafka ]] && install_kafka_jars
    done
    log "installed: ${NAMES[*]}"
}

# ---------------------------------------------------------------------------
# start: one function per service; each prepares a fresh state dir, starts the
# server, waits for it and calls record_started.

redis_ping() {
    local port=$1 reply=
    {
        exec 3<>"/dev/tcp/127.0.0.1/$port" &&
            printf 'PING\r\n' >&3 &&
            IFS= read -r -t 2 reply <&3
    } 2>/dev/null || return 1
    exec 3<&- 3>&-
    [[ $reply == +PONG* ]]
}

start_redis() {
    local dir port
    command -v redis-server >/dev/null 2>&1 || die "redis-server missing: run scripts/services.sh install redis"
    dir=$(state_dir redis)
    free_port
    port=$FREE_PORT
    mkdir -p "$dir/data"
    start_background redis "$dir/redis.log" redis-server --port "$port" --bind 127.0.0.1 \
        --save '' --appendonly no --daemonize no --dir "$dir/data"
    wait_until "redis" "$dir/redis.log" "$BG_PID" redis_ping "$port"
    record_started redis "$BG_PID" "redis://127.0.0.1:$port"
}

# Run a command as the PostgreSQL OS user when we are root (postgres refuses
# to run as root), else as ourselves.
as_pg_user() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

start_postgres() {
    local dir pgdir port sock url
    [[ -x $PG_BIN/pg_ctl ]] || die "PostgreSQL 15 missing: run scripts/services.sh install postgres"
    dir=$(state_dir postgres)
    free_port
    port=$FREE_PORT
    mkdir -p "$dir"
    pgdir="$dir/pg"
    if ((EUID == 0)); then
        id postgres >/dev/null 2>&1 || die "no 'postgres' OS user: run scripts/services.sh install postgres"
        mkdir -p "$pgdir"
        chown postgres: "$pgdir"
        chmod 700 "$pgdir"
        if ! runuser -u postgres -- test -w "$pgdir"; then
            # The run dir sits under a directory the postgres user can't enter
            # (e.g. /root): keep the cluster in a private temporary dir instead.
            rm -rf "$pgdir"
            local tmp
            tmp=$(mktemp -d "${TMPDIR:-/tmp}/abstat-postgres.XXXXXX")
            chown postgres: "$tmp"
            ln -s "$tmp" "$pgdir"
            log "postgres: the postgres user can't reach $dir, using $tmp"
        fi
    else
        mkdir -p "$pgdir"
        chmod 700 "$pgdir"
    fi
    pgdir=$(readlink -f "$pgdir")
    sock="$pgdir/sock"
    # A Unix socket path is limited to 107 bytes; without room, TCP only.
    ((${#sock} > 90)) && sock=

    local pwfile="$pgdir/pwfile"
    echo abstat >"$pwfile"
    ((EUID == 0)) && chown postgres: "$pwfile"
    as_pg_user "$PG_BIN/initdb" -D "$pgdir/data" -U abstat --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1 || {
        show_log_tail "$dir/initdb.log"
        die "postgres: initdb failed"
    }
    rm -f "$pwfile"
    if [[ -n $sock ]]; then
        as_pg_user mkdir -p "$sock"
    fi
    local opts="-c listen_addresses=127.0.0.1 -p $port -k '$sock' -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    as_pg_user "$PG_BIN/pg_ctl" -D "$pgdir/data" -l "$pgdir/postgres.log" -o "$opts" \
        -w -t "$TIMEOUT" start >"$dir/pg_ctl.log" 2>&1 9>&- || {
        show_log_tail "$dir/pg_ctl.log" "$pgdir/postgres.log"
        as_pg_user "$PG_BIN/pg_ctl" -D "$pgdir/data" -m immediate stop >/dev/null 2>&1 || true
        die "postgres: pg_ctl start failed"
    }
    echo "$pgdir" >"$dir/pgdir"
    local pid
    pid=$(head -n1 "$pgdir/data/postmaster.pid")
    echo "$pid" >"$dir/pid"
    url="postgres://abstat:abstat@127.0.0.1:$port/abstat_test"
    # Readiness over the same path the tests use: TCP with the password.
    wait_until "postgres" "$pgdir/postgres.log" "$pid" \
        env PGPASSWORD=abstat "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$port" -U abstat -d postgres
    PGPASSWORD=abstat "$PG_BIN/createdb" -h 127.0.0.1 -p "$port" -U abstat abstat_test ||
        die "postgres: createdb abstat_test failed"
    record_started postgres "$pid" "$url"
}

clickhouse_ping() {
    local port=$1 status=
    {
        exec 3<>"/dev/tcp/127.0.0.1/$port" &&
            printf 'GET /ping HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3 &&
            IFS= read -r -t 2 status <&3
    } 2>/dev/null || return 1
    exec 3<&- 3>&-
    [[ $status == HTTP/1.[01]\ 200* ]]
}

start_clickhouse() {
    local dir http tcp
    command -v clickhouse-server >/dev/null 2>&1 ||
        die "clickhouse-server missing: run scripts/services.sh install clickhouse"
    dir=$(state_dir clickhouse)
    free_port
    http=$FREE_PORT
    free_port
    tcp=$FREE_PORT
    mkdir -p "$dir"/{data,tmp,log,user_files,format_schemas}
    fill_template "$TEMPLATES/clickhouse/config.xml" "$dir/config.xml" \
        DIR="$dir" HTTP_PORT="$http" TCP_PORT="$tcp"
    cp "$TEMPLATES/clickhouse/users.xml" "$dir/users.xml"
    start_background clickhouse "$dir/log/stdout.log" clickhouse-server --config-file="$dir/config.xml"
    wait_until "clickhouse" "$dir/log/clickhouse-server.err.log" "$BG_PID" clickhouse_ping "$http"
    record_started clickhouse "$BG_PID" "http://127.0.0.1:$http"
}

kafka_java() {
    java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$(state_dir kafka)/log4j2-tools.xml" "$@"
}

start_kafka() {
    local dir port cport cluster_id tries
    command -v java >/dev/null 2>&1 || die "java missing: run scripts/services.sh install kafka"
    kafka_cache_complete "$(sha256sum "$TEMPLATES/kafka/pom.xml" | cut -d' ' -f1)" ||
        die "the Kafka jars are not (all) in $KAFKA_LIBS: run scripts/services.sh install kafka"
    dir=$(state_dir kafka)
    free_port
    port=$FREE_PORT
    free_port
    cport=$FREE_PORT
    mkdir -p "$dir/data" "$dir/logs"
    cp "$TEMPLATES/kafka/log4j2.xml" "$dir/log4j2.xml"
    # The command-line tools log warnings to stderr only.
    cat >"$dir/log4j2-tools.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Configuration status="WARN">
  <Appenders><Console name="STDERR" target="SYSTEM_ERR"><PatternLayout pattern="%p %m (%c)%n"/></Console></Appenders>
  <Loggers><Root level="WARN"><AppenderRef ref="STDERR"/></Root></Loggers>
</Configuration>
EOF
    fill_template "$TEMPLATES/kafka/server.properties" "$dir/server.properties" \
        DIR="$dir" PORT="$port" CONTROLLER_PORT="$cport"

    # The cluster id is passed as `-t ID`: one starting with '-' would read as an option.
    for ((tries = 0; tries < 20; tries++)); do
        cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$dir/storage.log" | tail -n1)
        [[ -n $cluster_id && $cluster_id != -* ]] && break
        cluster_id=
    done
    [[ -n $cluster_id ]] || {
        show_log_tail "$dir/storage.log"
        die "kafka: no cluster id from StorageTool random-uuid"
    }
    kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$dir/server.properties" \
        >>"$dir/storage.log" 2>&1 || {
        show_log_tail "$dir/storage.log"
        die "kafka: StorageTool format failed"
    }

    launch_kafka "$port"
}

# launch_kafka PORT: run the broker of the formatted state dir and wait until
# it answers on PORT (start, and restart with the same data and ports).
launch_kafka() {
    local port=$1 dir
    dir=$(state_dir kafka)
    start_background kafka "$dir/logs/kafka.out" java -Xms256m -Xmx512m -XX:+UseG1GC \
        -Djava.awt.headless=true -Dkafka.logs.dir="$dir/logs" \
        -Dlog4j2.configurationFile="$dir/log4j2.xml" \
        -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/server.properties"
    local pid=$BG_PID
    wait_until "kafka" "$dir/logs/server.log" "$pid" port_open "$port"
    # An open port is not a working broker: wait for a metadata request to succeed.
    wait_until "kafka" "$dir/logs/server.log" "$pid" \
        kafka_metadata_ok "$port" "$dir/logs/topics.log"
    record_started kafka "$pid" "127.0.0.1:$port"
}

kafka_metadata_ok() {
    timeout 30 java -cp "$KAFKA_LIBS/*" -Dlog4j2.configurationFile="$(state_dir kafka)/log4j2-tools.xml" \
        org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$1" --list >>"$2" 2>&1
}

# A pre-set variable: use that service as it is; just say whether it answers.
use_external() {
    local name=$1 address=$2 host port
    read -r host port < <(host_port_of "$address")
    if [[ $port =~ ^[0-9]+$ ]] && port_open "$port" "$host"; then
        log "$name: using ${address} from $(env_var_of "$name") (not started here)"
    else
        log "$name: warning: ${address} from $(env_var_of "$name") does not accept connections (not started here)"
    fi
    record_external "$name" "$address"
}

start_one() {
    local name=$1 var address
    var=$(env_var_of "$name")
    address=${!var:-}
    if [[ -n $address ]]; then
        if service_ready "$name" && [[ $address == "$(recorded_address "$name")" ]]; then
            log "$name: already running at $address (pid $(recorded_pid "$name")), reusing it"
            return 0
        fi
        if [[ ! -f $(state_dir "$name")/external && $address == "$(recorded_address "$name")" ]]; then
            # The variable came from an earlier `source env` of a service we
            # started and that has stopped since: start a new one.
            log "$name: $var=$address is from an earlier run that has stopped; starting a new one (source $RUN_DIR/env again)"
        else
            if service_running "$name"; then
                log "$name: $var points elsewhere; stopping the one started here earlier"
                stop_one "$name"
            fi
            use_external "$name" "$address"
            return 0
        fi
    elif service_ready "$name"; then
        log "$name: already running at $(recorded_address "$name") (pid $(recorded_pid "$name")), reusing it"
        return 0
    fi
    local dir
    dir=$(state_dir "$name")
    # Fresh state for every start; keep nothing from an earlier run.
    stop_one "$name" quiet
    clean_state_dir "$name"
    mkdir -p "$dir"
    local t0=$SECONDS
    "start_$name"
    log "$name: ready at $(recorded_address "$name") (pid $(recorded_pid "$name"), $((SECONDS - t0))s)"
}

clean_state_dir() {
    local dir pgdir
    dir=$(state_dir "$1")
    [[ -n $RUN_DIR && -d $dir ]] || return 0
    if [[ $1 == postgres && -L $dir/pg ]]; then
        pgdir=$(readlink -f "$dir/pg")
        [[ $pgdir == "${TMPDIR:-/tmp}"/abstat-postgres.* ]] && rm -rf "$pgdir"
    fi
    rm -rf "$dir"
}

cmd_start() {
    local name
    select_services "$@"
    lock_run_dir
    for name in "${NAMES[@]}"; do
        start_one "$name"
        write_env_file
    done
    write_env_file
    echo "# source $RUN_DIR/env, or:"
    grep '^export' "$RUN_DIR/env" || true
}

# ---------------------------------------------------------------------------
# stop

# Stop the service recorded for $1 if it is ours and alive; forget its address.
stop_one() {
    local name=$1 quiet=${2:-} dir pid
    dir=$(state_dir "$name")
    [[ -d $dir ]] || return 0
    if [[ -f $dir/external ]]; then
        [[ -n $quiet ]] || log "$name: $(recorded_address "$name") was not started here, leaving it alone"
        rm -f "$dir/external" "$dir/env" "$dir/address"
        return 0
    fi
    pid=$(recorded_pid "$name")
    if ! service_running "$name"; then
        [[ -n $quiet || -z $pid ]] || log "$name: not running (pid $pid is gone)"
        rm -f "$dir/pid" "$dir/env"
        return 0
    fi
    if [[ $name == postgres && -f $dir/pgdir ]]; then
        as_pg_user "$PG_BIN/pg_ctl" -D "$(<"$dir/pgdir")/data" -m fast -w -t 30 stop >/dev/null 2>&1 || true
    fi
    terminate "$pid"
    rm -f "$dir/pid" "$dir/env"
    [[ -n $quiet ]] || log "$name: stopped (pid $pid)"
}

# TERM, wait up to 30 s, then KILL.
terminate() {
    local pid=$1 i
    is_alive "$pid" || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 60; i++)); do
        is_alive "$pid" || return 0
        sleep 0.5
    done
    log "pid $pid ignored TERM for 30s, sending KILL"
    kill -KILL "$pid" 2>/dev/null || true
    for ((i = 0; i < 20; i++)); do
        is_alive "$pid" || return 0
        sleep 0.25
    done
}

# Restart a broker started here on the same port with the same data dir, so
# topics, records and committed offsets survive (failover tests).
cmd_restart() {
    local name address t0
    (($#)) || set -- kafka
    select_services "$@"
    lock_run_dir
    for name in "${NAMES[@]}"; do
        [[ $name == kafka ]] || die "restart: only kafka can be restarted with its data kept (got '$name')"
        service_ready kafka || die "kafka: not running from $RUN_DIR, nothing to restart (start it first)"
        address=$(recorded_address kafka)
        t0=$SECONDS
        terminate "$(recorded_pid kafka)"
        launch_kafka "${address##*:}"
        log "kafka: restarted at $address (pid $(recorded_pid kafka), $((SECONDS - t0))s)"
    done
    write_env_file
}

cmd_stop() {
    local name
    select_services "$@"
    [[ -d $RUN_DIR ]] || {
        log "nothing to stop ($RUN_DIR does not exist)"
        return 0
    }
    lock_run_dir
    for name in "${NAMES[@]}"; do
        stop_one "$name"
    done
    write_env_file
}

# ---------------------------------------------------------------------------
# env, status

cmd_env() {
    [[ -f $RUN_DIR/env ]] || die "no $RUN_DIR/env: run scripts/services.sh start"
    cat "$RUN_DIR/env"
}

cmd_status() {
    local name var dir
    select_services "$@"
    for name in "${NAMES[@]}"; do
        var=$(env_var_of "$name")
        dir=$(state_dir "$name")
        if [[ -f $dir/external ]]; then
            printf '%-10s external   %s=%s (not started here)\n' "$name" "$var" "$(recorded_address "$name")"
        elif service_running "$name"; then
            printf '%-10s running    %s=%s pid %s\n' "$name" "$var" "$(recorded_address "$name")" "$(recorded_pid "$name")"
        elif [[ -n ${!var:-} && ${!var} == "$(recorded_address "$name")" ]]; then
            printf '%-10s stopped    (%s=%s in this shell is from a run that has stopped)\n' "$name" "$var" "${!var}"
        elif [[ -n ${!var:-} ]]; then
            printf '%-10s from env   %s=%s (start would use it)\n' "$name" "$var" "${!var}"
        else
            printf '%-10s stopped\n' "$name"
        fi
    done
}

main() {
    (($# >= 1)) || usage
    local cmd=$1
    shift
    case $cmd in
        install) cmd_install "$@" ;;
        start) cmd_start "$@" ;;
        stop) cmd_stop "$@" ;;
        restart) cmd_restart "$@" ;;
        env) cmd_env ;;
        status) cmd_status "$@" ;;
        -h | --help | help) usage 0 ;;
        *) usage ;;
    esac
}

main "$@"
