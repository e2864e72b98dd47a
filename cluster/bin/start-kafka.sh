#!/usr/bin/env bash
# Starts a single-node Kafka broker in KRaft mode on this machine from the jars in
# kafka-tools/target/lib (Kafka 4 from Maven, no download): one JVM that is controller and broker,
# listeners on localhost only, storage formatted afresh with a random cluster id. Returns when it
# accepts connections and prints its bootstrap address last (also written to DIR/bootstrap, where
# kafka.sh finds it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"
STARTED_AT=$(date +%s%N)

usage() {
    cat <<EOF
Usage: cluster/bin/start-kafka.sh [--dir DIR] [--port PORT] [--timeout SECONDS]
  --dir DIR           the broker's folder: config, data, log, pid file
                      (default: \$KAFKA_DIR, else cluster/target/kafka)
  --port PORT         the broker's port on localhost (default 9092; the controller's is chosen free)
  --timeout SECONDS   how long to wait for the broker to accept connections (default 90)
EOF
}

DIR_ARG=""
PORT=9092
TIMEOUT=90
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) DIR_ARG="${2:?--dir needs a value}"; shift 2 ;;
        --port) PORT="${2:?--port needs a value}"; shift 2 ;;
        --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
[[ "$PORT" =~ ^[1-9][0-9]*$ ]] && ((PORT <= 65535)) || die "--port wants a port number from 1 to 65535, not '$PORT'"
[[ "$TIMEOUT" =~ ^[1-9][0-9]*$ ]] || die "--timeout wants a whole number above 0, not '$TIMEOUT'"

require_kafka_tools
DIR="$(resolve_kafka_dir "$DIR_ARG" create)"
if pid_alive "$DIR/kafka.pid" "$DIR"; then
    die "a broker already runs in $DIR (pid $(cat "$DIR/kafka.pid")); stop it first: cluster/bin/stop-kafka.sh --dir $DIR"
fi
if port_in_use "$PORT"; then
    die "port $PORT is in use (another broker?); choose another with --port PORT"
fi

# A fresh start: only what this script writes is removed, never anything else in DIR.
rm -rf "$DIR/data" "$DIR/server.properties" "$DIR/log4j2.properties" "$DIR"/server.log* "$DIR/kafka.out" \
    "$DIR/format.out" "$DIR/bootstrap" "$DIR/kafka.pid"
"$JAVA" -cp "$KAFKA_CP" dev.flinksidecar.kafka.tools.KafkaBroker write-config "$DIR" "$PORT" \
    || die "could not write the broker's configuration into $DIR"
CLUSTER_ID="$("$JAVA" -cp "$KAFKA_CP" dev.flinksidecar.kafka.tools.KafkaBroker cluster-id)"
"$JAVA" -Dlog4j2.configurationFile="$DIR/log4j2.properties" -cp "$KAFKA_CP" kafka.tools.StorageTool format \
    --cluster-id "$CLUSTER_ID" --config "$DIR/server.properties" >"$DIR/format.out" 2>&1 \
    || die "formatting the broker's storage failed: $(tail_of "$DIR/format.out")"

# Its own session (a Ctrl-C in this terminal does not reach it); the folder is on its command line,
# so that pid_alive tells it from an unrelated process that got the same pid later.
setsid "$JAVA" -Xms256m -Xmx512m -XX:+UseSerialGC -Dkafka.dir="$DIR" \
    -Dlog4j2.configurationFile="$DIR/log4j2.properties" -cp "$KAFKA_CP" kafka.Kafka "$DIR/server.properties" \
    </dev/null >"$DIR/kafka.out" 2>&1 &
echo $! >"$DIR/kafka.pid"

deadline=$(($(date +%s) + TIMEOUT))
until port_in_use "$PORT"; do
    if ! pid_alive "$DIR/kafka.pid" "$DIR"; then
        echo "start-kafka.sh: the broker exited while starting; the end of $DIR/server.log:" >&2
        tail_of "$DIR/server.log" 20 >&2
        echo "  and of $DIR/kafka.out:" >&2
        tail_of "$DIR/kafka.out" 10 >&2
        rm -f "$DIR/kafka.pid"
        exit 1
    fi
    if (($(date +%s) >= deadline)); then
        echo "start-kafka.sh: the broker does not accept connections on port $PORT after ${TIMEOUT}s; the end of $DIR/server.log:" >&2
        tail_of "$DIR/server.log" 20 >&2
        "$CLUSTER_HOME/bin/stop-kafka.sh" --dir "$DIR" >/dev/null 2>&1 || true
        exit 1
    fi
    sleep 0.2
done
echo "localhost:$PORT" >"$DIR/bootstrap"

elapsed_ms=$((($(date +%s%N) - STARTED_AT) / 1000000))
echo "Kafka broker ready in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s: $DIR (log: $DIR/server.log)"
echo "localhost:$PORT"
