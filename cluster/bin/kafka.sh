#!/usr/bin/env bash
# Topics for the job, from a shell (dev.flinksidecar.kafka.tools.KafkaCli in kafka-tools/target):
#   cluster/bin/kafka.sh [--dir DIR | --bootstrap HOST:PORT] COMMAND ...
#     create-topic NAME [--partitions N] [--if-not-exists]
#     produce --topic T --file F          one record per line, key: the event's "key" (a .pb file: one Event each)
#     consume --topic T [--from-beginning] [--idle-exit SECONDS]   read_committed, one value per line
#     generate --topic T --rate N [--keys K] [--count N]           payments at event time now, until stopped
# Without --bootstrap: the broker that start-kafka.sh started in DIR (default: $KAFKA_DIR, else
# cluster/target/kafka), read from DIR/bootstrap. `kafka.sh COMMAND --help` explains a command.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

DIR_ARG=""
BOOTSTRAP=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) DIR_ARG="${2:?--dir needs a value}"; shift 2 ;;
        --bootstrap) BOOTSTRAP="${2:?--bootstrap needs a value}"; shift 2 ;;
        *) break ;;
    esac
done
if [[ -z "$BOOTSTRAP" && $# -gt 0 && "$1" != -h && "$1" != --help ]]; then
    DIR="$(resolve_kafka_dir "$DIR_ARG")"
    [[ -f "$DIR/bootstrap" ]] \
        || die "no broker runs in $DIR (start one with cluster/bin/start-kafka.sh, or name one with --bootstrap HOST:PORT)"
    BOOTSTRAP="$(cat "$DIR/bootstrap")"
fi
require_kafka_tools
exec "$JAVA" -XX:+UseSerialGC -Xmx256m -cp "$KAFKA_CP" dev.flinksidecar.kafka.tools.KafkaCli \
    ${BOOTSTRAP:+--bootstrap "$BOOTSTRAP"} "$@"
