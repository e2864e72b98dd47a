#!/usr/bin/env bash
# Stops the cluster in a folder: every TaskManager, the JobManager, then the sidecars (they outlive
# their TaskManager, as a native sidecar container does), also when only some of them started.
# SIGTERM first, SIGKILL for what still runs after the timeout; removes pid files and sockets.
# Logs and configs stay for reading.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

usage() {
    cat <<EOF
Usage: cluster/bin/stop-cluster.sh [--dir DIR] [--timeout SECONDS]
  --dir DIR           the cluster's folder (default: \$CLUSTER_DIR, else cluster/target/cluster)
  --timeout SECONDS   how long each process may take to stop before it is killed (default 30)
EOF
}

DIR_ARG=""
TIMEOUT=30
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) DIR_ARG="${2:?--dir needs a value}"; shift 2 ;;
        --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ "$TIMEOUT" =~ ^[0-9]+$ ]] || die "--timeout wants a whole number of seconds, not '$TIMEOUT'"
DIR="$(resolve_cluster_dir "$DIR_ARG")"

shopt -s nullglob
stop_all "$DIR"/tm-*/taskmanager.pid "$DIR"/jobmanager/jobmanager.pid
stop_all "$DIR"/tm-*/sidecar.pid
# A sidecar removes its sockets on exit; one that was killed cannot.
rm -f "$DIR"/tm-*/sidecar.sock "$DIR"/tm-*/sidecar.sock.admin
