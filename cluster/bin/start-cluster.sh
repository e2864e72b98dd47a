#!/usr/bin/env bash
# Starts a standalone Flink session cluster on this machine from the jars in cluster/target/flink/lib:
# a JobManager (StandaloneSessionClusterEntrypoint) and N TaskManagers (TaskManagerRunner), each a
# JVM with its own config.yaml, log and pid file, and beside every TaskManager a sidecar with its own
# socket, which that TaskManager's config.yaml names (sidecar.operator.socket-path) for the job.
# Returns when the cluster is ready: REST up, N TaskManagers registered, every sidecar accepting.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"
STARTED_AT=$(date +%s%N)

usage() {
    cat <<EOF
Usage: cluster/bin/start-cluster.sh [--dir DIR] [--taskmanagers N] [--slots N] [--rules-dir DIR]
                                    [--rest-port PORT] [--timeout SECONDS]
  --dir DIR           the cluster's folder: configs, logs, pid files, sockets, checkpoints
                      (default: \$CLUSTER_DIR, else cluster/target/cluster)
  --taskmanagers N    TaskManagers, each with its sidecar (default 2)
  --slots N           task slots per TaskManager (default 1)
  --rules-dir DIR     the rules every sidecar starts with (default examples/target/rules)
  --rest-port PORT    the JobManager's REST port and web UI (default 8081)
  --timeout SECONDS   how long to wait for the cluster to be ready (default 120)
EOF
}

DIR_ARG=""
TASKMANAGERS=2
SLOTS=1
RULES_DIR="$REPO_ROOT/examples/target/rules"
REST_PORT=8081
TIMEOUT=120
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) DIR_ARG="${2:?--dir needs a value}"; shift 2 ;;
        --taskmanagers) TASKMANAGERS="${2:?--taskmanagers needs a value}"; shift 2 ;;
        --slots) SLOTS="${2:?--slots needs a value}"; shift 2 ;;
        --rules-dir) RULES_DIR="${2:?--rules-dir needs a value}"; shift 2 ;;
        --rest-port) REST_PORT="${2:?--rest-port needs a value}"; shift 2 ;;
        --timeout) TIMEOUT="${2:?--timeout needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
whole_number() { # FLAG VALUE
    [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 wants a whole number above 0, not '$2'"
}
whole_number --taskmanagers "$TASKMANAGERS"
whole_number --slots "$SLOTS"
whole_number --rest-port "$REST_PORT"
whole_number --timeout "$TIMEOUT"

# Memory: small enough for a JobManager and two TaskManagers beside the build on a 2-core machine.
# Managed memory (RocksDB, batch sorting) is unused by the job, so most of Flink's memory is task heap.
JM_PROCESS_MEMORY=768m
TM_PROCESS_MEMORY=1024m
TM_MANAGED_FRACTION=0.1

require_flink_lib
[[ -d "$RULES_DIR" ]] || die "no rules folder $RULES_DIR (build the examples: mvn -q -pl examples -am -DskipTests package)"
RULES_DIR="$(cd "$RULES_DIR" && pwd)"
DIR="$(resolve_cluster_dir "$DIR_ARG" create)"
set_sidecar_command
# A Unix socket path has at most 107 bytes (sun_path); the admin socket's is the longest.
admin_socket_path="$DIR/tm-$TASKMANAGERS/sidecar.sock.admin"
((${#admin_socket_path} <= 107)) \
    || die "the sidecar socket paths in $DIR would be too long for a Unix socket (${#admin_socket_path} > 107 bytes): choose a shorter --dir"

for pid_file in "$DIR"/jobmanager/*.pid "$DIR"/tm-*/*.pid; do
    if pid_alive "$pid_file" "$DIR"; then
        die "a cluster already runs in $DIR (pid $(cat "$pid_file") from $pid_file); stop it first: cluster/bin/stop-cluster.sh --dir $DIR"
    fi
done
if port_in_use "$REST_PORT"; then
    die "REST port $REST_PORT is in use (another Flink cluster?); choose another with --rest-port PORT"
fi
RPC_PORT="$(free_port)"

# A fresh start: only the folders this script writes are removed, never anything else in DIR.
rm -rf "$DIR"/jobmanager "$DIR"/tm-* "$DIR"/conf "$DIR"/client "$DIR"/checkpoints "$DIR"/plugins "$DIR"/sidecar \
    "$DIR"/cluster.env
mkdir -p "$DIR"/conf "$DIR"/client "$DIR"/checkpoints "$DIR"/plugins
# The sidecars run from a copy: a rebuild of sidecar/ while the cluster runs cannot change the jar
# under them. (Its class data sharing archive stays behind: it is only valid for the jar's own path.)
mkdir -p "$DIR/sidecar/bin"
cp "$REPO_ROOT/sidecar/target/sidecar.jar" "$DIR/sidecar/"
if [[ -x "$REPO_ROOT/sidecar/target/bin/sidecar" ]]; then
    cp "$REPO_ROOT/sidecar/target/bin/sidecar" "$DIR/sidecar/bin/"
fi
# Flink looks for plugins (file systems, metric reporters) here; none are needed, the folder stays empty.
export FLINK_PLUGINS_DIR="$DIR/plugins"

{
    printf 'REST_PORT=%q\nRPC_PORT=%q\nTASKMANAGERS=%q\nSLOTS=%q\nRULES_DIR=%q\n' \
        "$REST_PORT" "$RPC_PORT" "$TASKMANAGERS" "$SLOTS" "$RULES_DIR"
} >"$DIR/cluster.env"

# The configuration every process of the cluster shares (Flink 2.x config.yaml, flat keys).
common_config() {
    cat <<EOF
jobmanager.rpc.address: localhost
jobmanager.rpc.port: $RPC_PORT
jobmanager.bind-host: localhost
jobmanager.memory.process.size: $JM_PROCESS_MEMORY
rest.address: localhost
rest.bind-address: localhost
rest.port: $REST_PORT
taskmanager.host: localhost
taskmanager.bind-host: localhost
taskmanager.numberOfTaskSlots: $SLOTS
taskmanager.memory.process.size: $TM_PROCESS_MEMORY
taskmanager.memory.managed.fraction: $TM_MANAGED_FRACTION
# a TaskManager that starts before the JobManager retries after 500 ms, not the default 10 s
cluster.registration.error-delay: 500 ms
# a job at parallelism N runs one subtask on each of N TaskManagers, so every sidecar gets its share
cluster.evenly-spread-out-slots: true
execution.checkpointing.dir: file://$DIR/checkpoints
EOF
}

write_process_config() { # FOLDER [EXTRA LINES]
    local folder="$1"
    mkdir -p "$folder/conf" "$folder/tmp" "$folder/work"
    {
        common_config
        echo "io.tmp.dirs: $folder/tmp"
        echo "process.working-dir: $folder/work"
        printf '%s\n' "${@:2}"
    } >"$folder/conf/config.yaml"
    cp "$CLUSTER_HOME/conf/log4j.properties" "$folder/conf/"
}

write_process_config "$DIR/jobmanager" \
    "web.upload.dir: $DIR/jobmanager/web-upload" \
    "web.tmpdir: $DIR/jobmanager/web-tmp" \
    "blob.storage.directory: $DIR/jobmanager/blobs"
for i in $(seq 1 "$TASKMANAGERS"); do
    tm="$DIR/tm-$i"
    write_process_config "$tm" \
        "taskmanager.resource-id: tm-$i" \
        "blob.storage.directory: $tm/blobs" \
        "# the job's sidecar operator reads its socket from its TaskManager's config" \
        "sidecar.operator.socket-path: $tm/sidecar.sock"
done
# The client's config (bin/flink.sh): where the JobManager's REST API is.
common_config >"$DIR/conf/config.yaml"
cp "$CLUSTER_HOME/conf/log4j-cli.properties" "$DIR/conf/"

# Memory flags and settings as Flink's own scripts compute them (BashJavaUtils), once per kind.
resource_params() { # GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS CONF_DIR OUT_FILE
    "$JAVA" -cp "$FLINK_LIB/*" org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$2" \
        >"$3.log" 2>&1 || { echo "computing the memory settings failed; read $3.log" >&2; return 1; }
    grep '^BASH_JAVA_UTILS_EXEC_RESULT:' "$3.log" | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' >"$3"
}
resource_params GET_JM_RESOURCE_PARAMS "$DIR/jobmanager/conf" "$DIR/jobmanager/resources" & jm_params=$!
resource_params GET_TM_RESOURCE_PARAMS "$DIR/tm-1/conf" "$DIR/tm-1/resources" & tm_params=$!
wait "$jm_params" || die "JobManager: $(tail_of "$DIR/jobmanager/resources.log")"
wait "$tm_params" || die "TaskManager: $(tail_of "$DIR/tm-1/resources.log")"
read -r -a JM_JVM <<<"$(sed -n 1p "$DIR/jobmanager/resources")"
read -r -a JM_DYNAMIC <<<"$(sed -n 2p "$DIR/jobmanager/resources")"
read -r -a TM_JVM <<<"$(sed -n 1p "$DIR/tm-1/resources")"
read -r -a TM_DYNAMIC <<<"$(sed -n 2p "$DIR/tm-1/resources")"

# Starts a process in its own session (a Ctrl-C in this terminal does not reach it), output to
# FOLDER/NAME.out, pid to FOLDER/NAME.pid.
launch() { # FOLDER NAME COMMAND...
    local folder="$1" name="$2"
    shift 2
    setsid "$@" </dev/null >"$folder/$name.out" 2>&1 &
    echo $! >"$folder/$name.pid"
}

# A JobManager or TaskManager JVM as Flink's scripts start it: memory flags, the Java 17 flags, the
# log file, then the entry point with its config folder and the computed memory settings.
flink_jvm() { # FOLDER NAME MAIN_CLASS JVM_FLAGS_ARRAY DYNAMIC_SETTINGS_ARRAY
    local folder="$1" name="$2" main="$3"
    local -n jvm_flags="$4" dynamic_settings="$5"
    launch "$folder" "$name" "$JAVA" "${jvm_flags[@]}" "${FLINK_JAVA_OPTS[@]}" \
        -Dlog.file="$folder/$name.log" \
        -Dlog4j.configurationFile="file:$folder/conf/log4j.properties" \
        -Djava.io.tmpdir="$folder/tmp" \
        -classpath "$FLINK_LIB/*" "$main" --configDir "$folder/conf" "${dynamic_settings[@]}"
}

# Each sidecar keeps its temporary files (the jar store of deployed rules) in its TaskManager's folder.
user_sidecar_opts="${SIDECAR_JAVA_OPTS:-}"
for i in $(seq 1 "$TASKMANAGERS"); do
    tm="$DIR/tm-$i"
    rm -f "$tm/sidecar.sock" "$tm/sidecar.sock.admin"
    export SIDECAR_JAVA_OPTS="$user_sidecar_opts -Djava.io.tmpdir=$tm/tmp"
    set_sidecar_command "$DIR/sidecar"
    launch "$tm" sidecar "${SIDECAR_CMD[@]}" serve --socket "$tm/sidecar.sock" --rules-dir "$RULES_DIR"
done
flink_jvm "$DIR/jobmanager" jobmanager org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    JM_JVM JM_DYNAMIC
for i in $(seq 1 "$TASKMANAGERS"); do
    flink_jvm "$DIR/tm-$i" taskmanager org.apache.flink.runtime.taskexecutor.TaskManagerRunner TM_JVM TM_DYNAMIC
done

# Reports what failed with the end of the log to read (and of the process's output, where a JVM
# writes what kills it before its log exists), then stops what was started.
fail() { # MESSAGE [LOG]
    echo "start-cluster.sh: $1" >&2
    if [[ -n "${2:-}" ]]; then
        echo "  read $2; its end:" >&2
        tail_of "$2" 20 >&2
        local out="${2%.log}.out"
        if [[ "$out" != "$2" && -s "$out" ]]; then
            echo "  and $out:" >&2
            tail_of "$out" 10 >&2
        fi
    fi
    echo "stopping what was started ..." >&2
    "$CLUSTER_HOME/bin/stop-cluster.sh" --dir "$DIR" >/dev/null 2>&1 || true
    exit 1
}

deadline=$(($(date +%s) + TIMEOUT))
registered=0
while true; do
    pid_alive "$DIR/jobmanager/jobmanager.pid" "$DIR" \
        || fail "the JobManager exited while starting" "$DIR/jobmanager/jobmanager.log"
    listening=0
    for i in $(seq 1 "$TASKMANAGERS"); do
        tm="$DIR/tm-$i"
        pid_alive "$tm/taskmanager.pid" "$DIR" || fail "TaskManager tm-$i exited while starting" "$tm/taskmanager.log"
        pid_alive "$tm/sidecar.pid" "$DIR" || fail "the sidecar of tm-$i exited while starting" "$tm/sidecar.out"
        socket_listening "$tm/sidecar.sock" && listening=$((listening + 1))
    done
    registered="$(rest_get "$REST_PORT" /overview 2>/dev/null | json_get '$j->{taskmanagers}' 2>/dev/null || true)"
    if [[ "${registered:-0}" == "$TASKMANAGERS" && "$listening" == "$TASKMANAGERS" ]]; then
        break
    fi
    if (($(date +%s) >= deadline)); then
        fail "not ready after ${TIMEOUT}s: ${registered:-0} of $TASKMANAGERS TaskManagers registered at http://localhost:$REST_PORT, $listening of $TASKMANAGERS sidecars accepting (see also $DIR/tm-*/taskmanager.log and sidecar.out)" \
            "$DIR/jobmanager/jobmanager.log"
    fi
    sleep 0.2
done

elapsed_ms=$((($(date +%s%N) - STARTED_AT) / 1000000))
echo "Flink cluster ready in $((elapsed_ms / 1000)).$(printf '%03d' $((elapsed_ms % 1000))) s: $DIR"
echo "  JobManager   http://localhost:$REST_PORT  (log: $DIR/jobmanager/jobmanager.log)"
for i in $(seq 1 "$TASKMANAGERS"); do
    echo "  tm-$i         TaskManager with $SLOTS slot(s), sidecar on $DIR/tm-$i/sidecar.sock  (logs: $DIR/tm-$i/)"
done
echo "  rules        $RULES_DIR"
