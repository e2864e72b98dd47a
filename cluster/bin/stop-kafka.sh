#!/usr/bin/env bash
# Stops the broker that start-kafka.sh started in a folder: SIGTERM (a clean shutdown), SIGKILL
# when it still runs after the timeout. Its data and log stay for reading (the next start formats
# the storage afresh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

usage() {
    cat <<EOF
Usage: cluster/bin/stop-kafka.sh [--dir DIR] [--timeout SECONDS]
  --dir DIR           the broker's folder (default: \$KAFKA_DIR, else cluster/target/kafka)
  --timeout SECONDS   how long the broker may take to stop before it is killed (default 30)
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
DIR="$(resolve_kafka_dir "$DIR_ARG")"

rm -f "$DIR/bootstrap"
if ! pid_alive "$DIR/kafka.pid" "$DIR"; then
    rm -f "$DIR/kafka.pid"
    echo "no broker runs in $DIR"
    exit 0
fi
stop_all "$DIR/kafka.pid"
