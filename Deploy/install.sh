#!/usr/bin/env bash
# Install the Lakehouse fleet as systemd services on this machine.
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: sudo Deploy/install.sh [--bin-dir DIR] [--no-start] [--root DIR]

Installs the fleet under systemd:
  - system user and group `lakehouse` (no login shell, home /var/lib/lakehouse)
  - /opt/lakehouse/bin/<daemon> for the eleven daemons (and the `lakehouse` CLI when built),
    replaced atomically so running daemons keep their old binary until restarted
  - /opt/lakehouse/console/ the web console's files from Console/ (the gateway unit points
    GATEWAY_CONSOLE_DIR there; the gateway reads them when it starts)
  - /etc/lakehouse/lakehouse.env from Deploy/systemd/lakehouse.env, only if it does not exist
    (root:lakehouse, 0640: it may hold API keys)
  - /var/lib/lakehouse/<daemon> and the shared artifact folders (evidence quarantine scored
    exports replay audit), owned lakehouse:lakehouse, 0750
  - /etc/systemd/system/lakehouse-<daemon>.service x11 and lakehouse.target
  - systemctl daemon-reload; enable the units; enable --now lakehouse.target (restarts the
    fleet instead when it was already running, so new binaries take effect)

  --bin-dir DIR  install the binaries found in DIR. Default: build them with
                 `swift build -c release --static-swift-stdlib --scratch-path .build-static`,
                 so they need no Swift toolchain at run time (the units' ProtectHome=yes would
                 also hide a toolchain installed under a home directory).
  --no-start     install and enable, but do not start or restart anything
  --root DIR     install into DIR as if it were / (image building, trying the script): no
                 user creation, no chown, no systemctl
  -h, --help     this text

Afterwards: systemctl status lakehouse.target; journalctl -u lakehouse-vectord -f;
Scripts/status (from a checkout) shows the fleet's readiness.
EOF
}

bin_dir=""
start=1
root=""
while (($# > 0)); do
    case "$1" in
        --bin-dir)
            [[ $# -ge 2 ]] || { echo "install.sh: --bin-dir needs a directory" >&2; exit 2; }
            bin_dir=$2
            shift
            ;;
        --no-start) start=0 ;;
        --root)
            [[ $# -ge 2 ]] || { echo "install.sh: --root needs a directory" >&2; exit 2; }
            root=${2%/}
            shift
            ;;
        -h | --help) usage; exit 0 ;;
        *) echo "install.sh: unknown argument: $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done

caller_pwd=$PWD
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD
[[ -z $bin_dir || $bin_dir == /* ]] || bin_dir="$caller_pwd/$bin_dir"
[[ -z $root || $root == /* ]] || root="$caller_pwd/$root"

daemons=(gateway embedd vectord matrixd chatd validatord materializerd replayd observerd journald truthd)
shared_dirs=(evidence quarantine scored exports replay audit)

say() { printf 'install: %s\n' "$*"; }
die() { printf 'install: %s\n' "$*" >&2; exit 1; }

if [[ -z $root && $(id -u) != 0 ]]; then
    die "run as root (sudo Deploy/install.sh), or use --root DIR to stage the files elsewhere"
fi
live=0
[[ -n $root ]] || live=1

# --- binaries ----------------------------------------------------------------------------------------
if [[ -z $bin_dir ]]; then
    command -v swift >/dev/null || die "swift not found: install a Swift 6 toolchain or pass --bin-dir"
    say "building: swift build -c release --static-swift-stdlib --scratch-path .build-static"
    swift build -c release --static-swift-stdlib --scratch-path .build-static
    bin_dir=$(swift build -c release --static-swift-stdlib --scratch-path .build-static --show-bin-path)
fi
for d in "${daemons[@]}"; do
    [[ -x $bin_dir/$d ]] || die "no executable $bin_dir/$d"
done

# --- user --------------------------------------------------------------------------------------------
if ((live)); then
    if ! getent group lakehouse >/dev/null; then
        say "creating group lakehouse"
        groupadd --system lakehouse
    fi
    if ! getent passwd lakehouse >/dev/null; then
        say "creating user lakehouse"
        nologin=/usr/sbin/nologin
        [[ -x $nologin ]] || nologin=/sbin/nologin
        useradd --system --gid lakehouse --home-dir /var/lib/lakehouse --no-create-home \
            --shell "$nologin" --comment "Lakehouse fleet" lakehouse
    fi
fi

# install(1) with ownership only when installing for real.
owned() { # owner mode args...
    local owner=$1 mode=$2
    shift 2
    if ((live)); then
        install -o "${owner%:*}" -g "${owner#*:}" -m "$mode" "$@"
    else
        install -m "$mode" "$@"
    fi
}

# --- files -------------------------------------------------------------------------------------------
owned root:root 0755 -d "$root/opt/lakehouse" "$root/opt/lakehouse/bin"
installed=()
for name in "${daemons[@]}" lakehouse; do
    [[ -x $bin_dir/$name ]] || continue
    # Copy, then rename over the old file: a running daemon keeps its (old) inode.
    owned root:root 0755 "$bin_dir/$name" "$root/opt/lakehouse/bin/.$name.new"
    mv -f "$root/opt/lakehouse/bin/.$name.new" "$root/opt/lakehouse/bin/$name"
    installed+=("$name")
done
say "binaries: ${installed[*]} -> /opt/lakehouse/bin"
# The web console the gateway serves at / (its unit sets GATEWAY_CONSOLE_DIR=/opt/lakehouse/console).
[[ -f $repo/Console/index.html ]] || die "no web console in $repo/Console (index.html missing)"
owned root:root 0755 -d "$root/opt/lakehouse/console"
console_files=()
for file in "$repo"/Console/*; do
    [[ -f $file ]] || continue
    name=${file##*/}
    owned root:root 0644 "$file" "$root/opt/lakehouse/console/.$name.new"
    mv -f "$root/opt/lakehouse/console/.$name.new" "$root/opt/lakehouse/console/$name"
    console_files+=("$name")
done
say "console: ${console_files[*]} -> /opt/lakehouse/console"
# The units' Documentation= points here.
[[ ! -f $repo/README.md ]] || owned root:root 0644 "$repo/README.md" "$root/opt/lakehouse/README.md"

if ((live)) && command -v ldd >/dev/null; then
    unresolved=$(ldd "$root/opt/lakehouse/bin/gateway" 2>&1 | grep -F 'not found' || true)
    [[ -z $unresolved ]] || die "/opt/lakehouse/bin/gateway needs libraries this machine lacks:
$unresolved
(build with --static-swift-stdlib, i.e. run install.sh without --bin-dir)"
    if ldd "$root/opt/lakehouse/bin/gateway" | grep -qE '=> (/root|/home)/'; then
        say "WARNING: the binaries load libraries from a home directory, which the units' ProtectHome=yes hides;"
        say "         build with --static-swift-stdlib (run install.sh without --bin-dir)"
    fi
fi

owned root:lakehouse 0750 -d "$root/etc/lakehouse"
if [[ -e $root/etc/lakehouse/lakehouse.env ]]; then
    say "keeping existing /etc/lakehouse/lakehouse.env (the example is Deploy/systemd/lakehouse.env)"
else
    owned root:lakehouse 0640 "$repo/Deploy/systemd/lakehouse.env" "$root/etc/lakehouse/lakehouse.env"
    say "created /etc/lakehouse/lakehouse.env (every setting commented out: defaults)"
fi

owned lakehouse:lakehouse 0750 -d "$root/var/lib/lakehouse"
for dir in "${daemons[@]}" "${shared_dirs[@]}"; do
    owned lakehouse:lakehouse 0750 -d "$root/var/lib/lakehouse/$dir"
done
say "data: /var/lib/lakehouse/{$(IFS=,; echo "${daemons[*]},${shared_dirs[*]}")}"

owned root:root 0755 -d "$root/etc/systemd/system"
units=()
for d in "${daemons[@]}"; do
    units+=("lakehouse-$d.service")
done
for unit in "${units[@]}" lakehouse.target; do
    owned root:root 0644 "$repo/Deploy/systemd/$unit" "$root/etc/systemd/system/$unit"
done
say "units: /etc/systemd/system/lakehouse-<daemon>.service x${#units[@]}, lakehouse.target"

# --- systemd -----------------------------------------------------------------------------------------
if ((!live)); then
    say "staged under $root (no systemctl)"
    exit 0
fi
if [[ ! -d /run/systemd/system ]]; then
    say "systemd is not running on this machine: files installed, nothing enabled or started"
    exit 0
fi

systemctl daemon-reload
systemctl enable --quiet "${units[@]}"
if ((!start)); then
    systemctl enable --quiet lakehouse.target
    say "enabled; not started (--no-start). Start with: systemctl start lakehouse.target"
    exit 0
fi
if systemctl is-active --quiet lakehouse.target; then
    say "restarting the running fleet to pick up the new binaries"
    systemctl enable --quiet lakehouse.target
    systemctl restart lakehouse.target
else
    systemctl enable --now --quiet lakehouse.target
fi
say "started. Check: systemctl list-units 'lakehouse-*'; journalctl -u 'lakehouse-*' -f"
systemctl --no-pager --lines=0 status lakehouse.target || true
