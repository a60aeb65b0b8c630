# Helpers shared by the benchmark scripts (sourced, not run). Callers set: $bench_name, $work,
# $threads, and may append to server_pids.
# shellcheck shell=bash disable=SC2154  # $work and $threads are set by the sourcing script

say() { printf '%s: %s\n' "${bench_name:-bench}" "$*" >&2; }
die() { say "$*"; exit 1; }

# A port nothing listens on (checked by connecting; the short window before the server binds it
# is acceptable for a benchmark).
free_port() {
    local port tries=0
    while ((tries < 200)); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
        tries=$((tries + 1))
    done
    die "no free port found"
}

wait_http_200() { # url seconds
    local deadline=$((SECONDS + $2))
    while ((SECONDS < deadline)); do
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "$1" 2>/dev/null || true) == 200 ]] && return 0
        sleep 0.1
    done
    return 1
}

# wrk latency figure ("812.00us", "1.20ms", "2.01s") in milliseconds.
to_ms() {
    awk -v v="$1" 'BEGIN {
        n = v + 0
        if (v ~ /us$/) n = n / 1000; else if (v ~ /ms$/) n = n; else if (v ~ /m$/) n = n * 60000; else if (v ~ /s$/) n = n * 1000
        printf "%.3f", n
    }'
}

# Runs wrk and prints "rps p50_ms p99_ms max_ms errors". An optional Lua script shapes requests.
measure() { # url conns seconds [lua-script]
    local out rps p50 p99 max errors script=()
    [[ -z ${4:-} ]] || script=(-s "$4")
    out=$(wrk -t "$threads" -c "$2" -d "${3}s" --latency "${script[@]+"${script[@]}"}" "$1")
    printf '%s\n' "$out" >>"$work/wrk.log"
    rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
    p50=$(awk '$1 == "50%" { print $2 }' <<<"$out")
    p99=$(awk '$1 == "99%" { print $2 }' <<<"$out")
    max=$(awk '$1 == "Latency" { print $4; exit }' <<<"$out")
    errors=$(awk '
        /Socket errors:/ { gsub(/,/, ""); e += $4 + $6 + $8 + $10 }
        /Non-2xx or 3xx responses:/ { e += $NF }
        END { print e + 0 }' <<<"$out")
    [[ -n $rps && -n $p50 && -n $p99 && -n $max ]] || { printf '%s\n' "$out" >&2; die "could not parse wrk output"; }
    printf '%.1f %s %s %s %s\n' "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "$(to_ms "$max")" "$errors"
}

machine_line() {
    local cpu os
    cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo 2>/dev/null | head -n 1)
    os=$(sed -n 's/^PRETTY_NAME="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' /etc/os-release 2>/dev/null)
    echo "machine: nproc=$(nproc) cpu=\"${cpu:-unknown}\" kernel=$(uname -r) os=\"${os:-unknown}\" load=\"$(cut -d' ' -f1-3 /proc/loadavg)\""
}
