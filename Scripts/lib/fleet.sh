# shellcheck shell=bash disable=SC2034  # START_ERROR and NOT_READY are read by the sourcing scripts
# The local fleet, shared by Scripts/up, down, status and restart: daemon names and ports
# (SPEC §4), where each one's pid file and log live, and how it is started, probed and stopped.
#
# The caller sets `set -euo pipefail`, remembers its caller's directory in CALLER_PWD, changes to
# the repository root and then sources this file.

LAKEHOUSE_DAEMONS=(gateway embedd vectord matrixd chatd validatord materializerd replayd observerd journald truthd)

# Results for the caller: why start_daemon failed; which daemons wait_ready gave up on.
START_ERROR=""
NOT_READY=()

# Default port of each daemon (SPEC §4 ports table). Fails for a name that is not a daemon.
daemon_port() {
    case "$1" in
        gateway) echo 4200 ;;
        embedd) echo 4216 ;;
        vectord) echo 4217 ;;
        matrixd) echo 4218 ;;
        chatd) echo 4219 ;;
        validatord) echo 4220 ;;
        materializerd) echo 4221 ;;
        replayd) echo 4222 ;;
        observerd) echo 4223 ;;
        journald) echo 4224 ;;
        truthd) echo 4225 ;;
        *) return 1 ;;
    esac
}

is_daemon() {
    local d
    for d in "${LAKEHOUSE_DAEMONS[@]}"; do
        [[ $d == "$1" ]] && return 0
    done
    return 1
}

die() {
    printf '%s: %s\n' "${0##*/}" "$*" >&2
    exit 1
}

# `LAKEHOUSE_<DAEMON>_ADDR` when set, else the loopback default: where the daemon listens.
daemon_addr() {
    local var value
    var="LAKEHOUSE_$(printf '%s' "$1" | tr '[:lower:]' '[:upper:]')_ADDR"
    value="${!var:-}"
    if [[ -n $value ]]; then
        printf '%s\n' "$value"
    else
        printf '127.0.0.1:%s\n' "$(daemon_port "$1")"
    fi
}

# host:port to connect to. A wildcard listen address is reached over loopback.
daemon_connect_addr() {
    local addr host port
    addr=$(daemon_addr "$1")
    port=${addr##*:}
    host=${addr%:*}
    [[ $addr == *:* ]] || host=""
    case "$host" in
        "" | 0.0.0.0) host=127.0.0.1 ;;
        "[::]" | "::") host="[::1]" ;;
    esac
    printf '%s:%s\n' "$host" "$port"
}

# The data directory as an absolute path. Default: <repo>/data. A relative LAKEHOUSE_DATA_DIR is
# taken relative to the directory the script was started from, as a user would expect.
resolve_data_dir() {
    local dir="${LAKEHOUSE_DATA_DIR:-}"
    if [[ -z $dir ]]; then
        dir="$PWD/data"
    elif [[ $dir != /* ]]; then
        dir="${CALLER_PWD:-$PWD}/$dir"
    fi
    printf '%s\n' "$dir"
}

# Release binaries: LAKEHOUSE_BIN_DIR when set, else SwiftPM's release bin path.
resolve_bin_dir() {
    if [[ -n ${LAKEHOUSE_BIN_DIR:-} ]]; then
        printf '%s\n' "$LAKEHOUSE_BIN_DIR"
    else
        command -v swift >/dev/null || die "swift not found in PATH (or set LAKEHOUSE_BIN_DIR)"
        swift build -c release --show-bin-path
    fi
}

pid_file() { printf '%s/run/%s.pid\n' "$DATA_DIR" "$1"; }
log_file() { printf '%s/logs/%s.log\n' "$DATA_DIR" "$1"; }

# Is this process alive? A zombie (exited, not yet reaped by its parent, e.g. this script) is not.
process_running() {
    local pid=$1 stat
    if [[ -r /proc/self/stat ]]; then
        { read -r stat <"/proc/$pid/stat"; } 2>/dev/null || return 1
        stat=${stat##*) }
        [[ ${stat%% *} != [ZX] ]]
    else
        kill -0 "$pid" 2>/dev/null
    fi
}

# Is this pid alive and running the named daemon? Checking the program name keeps a stale pid
# file from pointing at an unrelated process that reused the pid. The name is the command name,
# or the first or second argument (a daemon started through an interpreter or a wrapper).
pid_is_daemon() {
    local pid=$1 daemon=$2 comm arg n=0
    process_running "$pid" || return 1
    if [[ -r /proc/self/comm ]]; then
        { read -r comm <"/proc/$pid/comm"; } 2>/dev/null || return 1
        [[ $comm == "$daemon" ]] && return 0
        {
            while ((n < 2)) && IFS= read -r -d '' arg; do
                [[ ${arg##*/} == "$daemon" ]] && return 0
                n=$((n + 1))
            done <"/proc/$pid/cmdline"
        } 2>/dev/null || true
        return 1
    fi
}

# Prints the pid of the daemon per its pid file if that process is alive, nothing otherwise.
running_pid() {
    local file pid=""
    file=$(pid_file "$1")
    [[ -r $file ]] || return 0
    { read -r pid <"$file" || [[ -n $pid ]]; } 2>/dev/null || return 0
    [[ $pid =~ ^[0-9]+$ ]] || return 0
    if pid_is_daemon "$pid" "$1"; then
        printf '%s\n' "$pid"
    fi
}

# curl against a daemon with the internal service token when one is configured. The token goes
# through a file descriptor, not the command line, so it never shows in `ps`.
lh_curl() {
    if [[ -n ${LAKEHOUSE_SERVICE_TOKEN:-} ]]; then
        curl -s --max-time "${LH_CURL_MAX_TIME:-2}" \
            -H @<(printf 'X-Lakehouse-Token: %s\n' "$LAKEHOUSE_SERVICE_TOKEN") "$@"
    else
        curl -s --max-time "${LH_CURL_MAX_TIME:-2}" "$@"
    fi
}

# HTTP status of GET <path> on a daemon; 000 when nothing answers.
http_status() {
    local code
    code=$(lh_curl -o /dev/null -w '%{http_code}' "http://$(daemon_connect_addr "$1")$2" 2>/dev/null) || true
    printf '%s\n' "${code:-000}"
}

# The "version" field of the daemon's /healthz, or "-".
daemon_version() {
    local body version
    body=$(lh_curl "http://$(daemon_connect_addr "$1")/healthz" 2>/dev/null) || true
    version=$(printf '%s' "$body" | sed -n 's/.*"version"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p')
    printf '%s\n' "${version:--}"
}

# Does anything accept TCP connections on the daemon's address?
port_in_use() {
    local addr host port
    addr=$(daemon_connect_addr "$1")
    port=${addr##*:}
    host=${addr%:*}
    host=${host#[}
    host=${host%]}
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null
}

# Lines a script writes into a daemon's log so the tail of *this* start can be found again.
readonly LOG_MARKER='msg="lifecycle: started by Scripts"'

# Starts one daemon in the background, in its own session so a terminal's Ctrl-C or hang-up does
# not reach it. Writes its pid file. If it cannot be started, returns non-zero and says why in
# START_ERROR.
start_daemon() {
    local daemon=$1 bin_dir=$2 bin log
    bin="$bin_dir/$daemon"
    log=$(log_file "$daemon")
    START_ERROR=""
    if [[ ! -x $bin ]]; then
        START_ERROR="no executable at $bin (build with: swift build -c release)"
        return 1
    fi
    if port_in_use "$daemon"; then
        START_ERROR="$(daemon_addr "$daemon") is already in use by a process these scripts did not start"
        return 1
    fi
    mkdir -p "$DATA_DIR/logs" "$DATA_DIR/run"
    printf 'ts=%s level=info daemon=%s %s bin=%s\n' \
        "$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)" "$daemon" "$LOG_MARKER" "$bin" >>"$log"
    if command -v setsid >/dev/null; then
        LAKEHOUSE_DATA_DIR="$DATA_DIR" setsid "$bin" </dev/null >>"$log" 2>&1 &
    else
        LAKEHOUSE_DATA_DIR="$DATA_DIR" nohup "$bin" </dev/null >>"$log" 2>&1 &
    fi
    printf '%s\n' "$!" >"$(pid_file "$daemon")"
}

# The log of a daemon since its last start by these scripts (at most 40 lines).
log_tail() {
    local log line
    log=$(log_file "$1")
    [[ -f $log ]] || { echo "    (no log at $log)"; return 0; }
    line=$(grep -nF "$LOG_MARKER" "$log" | tail -n 1 | cut -d: -f1) || true
    tail -n "+${line:-1}" "$log" | tail -n 40 | sed 's/^/    /'
}

# Waits until every named daemon's /readyz answers 200, at most <timeout> seconds. A daemon whose
# process has exited fails at once (checked on the pid itself: right after the start it may not
# have exec'ed the daemon yet). Sets NOT_READY to the daemons that did not become ready.
wait_ready() {
    local timeout=$1 deadline d code pid file
    shift
    local pending=("$@") next
    NOT_READY=()
    deadline=$((SECONDS + timeout))
    while ((${#pending[@]} > 0)); do
        next=()
        for d in "${pending[@]}"; do
            code=$(http_status "$d" /readyz)
            [[ $code == 200 ]] && continue
            file=$(pid_file "$d")
            if [[ -r $file ]]; then
                pid=""
                { read -r pid <"$file"; } 2>/dev/null || true
                if ! process_running "$pid"; then
                    NOT_READY+=("$d")
                    continue
                fi
            fi
            next+=("$d")
        done
        pending=("${next[@]+"${next[@]}"}")
        ((${#pending[@]} > 0)) || break
        if ((SECONDS >= deadline)); then
            NOT_READY+=("${pending[@]}")
            break
        fi
        sleep 0.2
    done
    ((${#NOT_READY[@]} == 0))
}

# Sends SIGTERM to the given daemons (those running per their pid files), waits up to <timeout>
# seconds for them to drain and exit, then SIGKILLs the stragglers. Removes their pid files.
stop_daemons() {
    local timeout=$1 d pid started deadline
    shift
    local names=() pids=()
    for d in "$@"; do
        pid=$(running_pid "$d")
        if [[ -z $pid ]]; then
            rm -f "$(pid_file "$d")"
            printf '%-14s not running\n' "$d"
            continue
        fi
        kill -TERM "$pid" 2>/dev/null || true
        names+=("$d")
        pids+=("$pid")
    done
    ((${#names[@]} > 0)) || return 0
    started=$SECONDS
    deadline=$((SECONDS + timeout))
    local i remaining
    while :; do
        remaining=0
        for i in "${!names[@]}"; do
            [[ -n ${pids[$i]} ]] || continue
            if pid_is_daemon "${pids[$i]}" "${names[$i]}"; then
                remaining=$((remaining + 1))
            else
                printf '%-14s stopped (pid %s, %ss)\n' "${names[$i]}" "${pids[$i]}" "$((SECONDS - started))"
                rm -f "$(pid_file "${names[$i]}")"
                pids[i]=""
            fi
        done
        ((remaining > 0)) || return 0
        ((SECONDS < deadline)) || break
        sleep 0.1
    done
    for i in "${!names[@]}"; do
        [[ -n ${pids[$i]} ]] || continue
        kill -KILL "${pids[$i]}" 2>/dev/null || true
        printf '%-14s KILLED (pid %s did not exit within %ss of SIGTERM)\n' "${names[$i]}" "${pids[$i]}" "$timeout"
        rm -f "$(pid_file "${names[$i]}")"
    done
}

# One row per daemon: name, address, pid (from the pid file), readiness, version. Also reports
# daemons not started by these scripts (e.g. under systemd) when they answer on their address.
# Returns non-zero unless every daemon is ready.
print_status_table() {
    local d pid code ready version all_ready=0
    printf '%-14s %-22s %-8s %-10s %s\n' DAEMON ADDR PID READY VERSION
    for d in "$@"; do
        pid=$(running_pid "$d")
        code=$(http_status "$d" /readyz)
        case "$code" in
            200) ready=yes ;;
            000) ready=down; all_ready=1 ;;
            *) ready="no($code)"; all_ready=1 ;;
        esac
        version=-
        [[ $code == 000 ]] || version=$(daemon_version "$d")
        printf '%-14s %-22s %-8s %-10s %s\n' "$d" "$(daemon_addr "$d")" "${pid:--}" "$ready" "$version"
    done
    return "$all_ready"
}
