# Shared by the cluster scripts (sourced, not run): where things are, the JVM flags Flink's own
# scripts pass, and small helpers that wait on conditions with a deadline.
#
# The cluster folder (--dir DIR, else $CLUSTER_DIR, else cluster/target/cluster) holds everything
# one cluster writes: configs, logs, pid files, sockets, uploaded jars, checkpoints.

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
CLUSTER_HOME="$REPO_ROOT/cluster"
FLINK_LIB="$CLUSTER_HOME/target/flink/lib"
DEFAULT_CLUSTER_DIR="$CLUSTER_HOME/target/cluster"

if [[ -n "${JAVA_HOME:-}" ]]; then
    JAVA="$JAVA_HOME/bin/java"
else
    JAVA="java"
fi

# What Flink 2.x's default config.yaml puts in env.java.opts.all (flink-dist), which its scripts pass
# to every JVM: on Java 17 Flink reflects into these packages (Kryo, the closure cleaner, Netty).
FLINK_JAVA_OPTS=(
    --add-exports=java.base/sun.net.util=ALL-UNNAMED
    --add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
    --add-opens=java.base/java.lang=ALL-UNNAMED
    --add-opens=java.base/java.net=ALL-UNNAMED
    --add-opens=java.base/java.io=ALL-UNNAMED
    --add-opens=java.base/java.nio=ALL-UNNAMED
    --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens=java.base/java.text=ALL-UNNAMED
    --add-opens=java.base/java.time=ALL-UNNAMED
    --add-opens=java.base/java.util=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
    --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
)

# The Kafka broker and the topic command line: kafka-tools/target (kafka-tools.jar and lib/, the
# Kafka 4 jars from Maven). A broker's folder: --dir DIR, else $KAFKA_DIR, else cluster/target/kafka.
KAFKA_TOOLS="$REPO_ROOT/kafka-tools/target"
DEFAULT_KAFKA_DIR="$CLUSTER_HOME/target/kafka"

require_kafka_tools() {
    [[ -f "$KAFKA_TOOLS/kafka-tools.jar" ]] && ls "$KAFKA_TOOLS"/lib/kafka_2.13-*.jar >/dev/null 2>&1 \
        || die "no Kafka jars in $KAFKA_TOOLS: build them first with: mvn -q -pl kafka-tools -am -DskipTests package"
}

# The class path of the broker and of kafka.sh.
KAFKA_CP="$KAFKA_TOOLS/kafka-tools.jar:$KAFKA_TOOLS/lib/*"

# The broker folder from --dir ($1), $KAFKA_DIR or the default, as an absolute path; with "create"
# as $2 it is created, else it must exist.
resolve_kafka_dir() {
    local dir="${1:-${KAFKA_DIR:-$DEFAULT_KAFKA_DIR}}"
    if [[ "${2:-}" == create ]]; then
        mkdir -p "$dir" 2>/dev/null || die "cannot create the broker folder $dir"
    fi
    [[ -d "$dir" ]] || die "no broker folder $dir (start a broker there with cluster/bin/start-kafka.sh --dir $dir)"
    (cd "$dir" && pwd)
}

die() {
    echo "$(basename "$0"): $*" >&2
    exit 1
}

# The cluster folder from --dir ($1), $CLUSTER_DIR or the default, as an absolute path; with
# "create" as $2 it is created, else it must exist.
resolve_cluster_dir() {
    local dir="${1:-${CLUSTER_DIR:-$DEFAULT_CLUSTER_DIR}}"
    if [[ "${2:-}" == create ]]; then
        mkdir -p "$dir" 2>/dev/null || die "cannot create the cluster folder $dir"
    fi
    [[ -d "$dir" ]] || die "no cluster folder $dir (start a cluster there with cluster/bin/start-cluster.sh --dir $dir)"
    (cd "$dir" && pwd)
}

require_flink_lib() {
    ls "$FLINK_LIB"/flink-runtime-*.jar >/dev/null 2>&1 \
        || die "no Flink jars in $FLINK_LIB: build them first with: mvn -q -pl cluster -am -DskipTests package"
}

# Whether pid file $1 names a live process whose command line mentions $2 (the cluster folder), so
# that a pid reused by an unrelated process after a crash is never taken for ours.
pid_alive() {
    local pid_file="$1" marker="$2" pid
    [[ -f "$pid_file" ]] || return 1
    pid="$(cat "$pid_file" 2>/dev/null)"
    [[ "$pid" =~ ^[0-9]+$ ]] || return 1
    [[ -r "/proc/$pid/cmdline" ]] || return 1
    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$marker"
}

# Whether a process listens on Unix socket path $1 (the kernel's listening sockets, so nothing
# connects to the sidecar and opens a session just to look). The sidecar binds its sockets in a
# private folder beside their path and links them into place, so the kernel knows them by the
# name they were bound with, DIR/.sXXXXXX/NAME.
socket_listening() {
    [[ -S "$1" ]] || return 1
    local dir name bound
    dir="$(dirname -- "$1")"
    name="$(basename -- "$1")"
    while read -r bound; do
        [[ "$bound" == "$1" || "$bound" == "$dir"/.s??????/"$name" ]] && return 0
    done < <(ss -xlnH 2>/dev/null | awk '{print $5}')
    return 1
}

# Whether something accepts TCP connections on localhost port $1.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A TCP port nothing listens on, from the ephemeral range.
free_port() {
    local port tries
    for tries in $(seq 1 50); do
        port=$((20000 + RANDOM % 30000))
        if ! port_in_use "$port"; then
            echo "$port"
            return 0
        fi
    done
    die "found no free TCP port"
}

# GET on the JobManager's REST API: rest_get PORT PATH; prints the body, fails when not 2xx.
rest_get() {
    curl -sf --max-time 5 "http://localhost:$1$2"
}

# Reads one JSON value from stdin: json_get PERL_EXPR, e.g. '$j->{taskmanagers}' (perl's core JSON::PP).
json_get() {
    perl -MJSON::PP -e 'local $/; my $j = JSON::PP->new->decode(<STDIN>); my $v = eval $ARGV[0]; die $@ if $@;
        print defined $v ? $v : ""' "$1"
}

# SIDECAR_CMD: the command that runs a sidecar from SIDECAR_HOME (default sidecar/target): the
# launcher bin/sidecar when it was built (small-footprint flags; extra JVM flags in
# $SIDECAR_JAVA_OPTS), else java -jar sidecar.jar with the same extra flags.
set_sidecar_command() { # [SIDECAR_HOME]
    local home="${1:-$REPO_ROOT/sidecar/target}"
    if [[ -x "$home/bin/sidecar" ]]; then
        SIDECAR_CMD=("$home/bin/sidecar")
    elif [[ -f "$home/sidecar.jar" ]]; then
        # shellcheck disable=SC2206 # SIDECAR_JAVA_OPTS is a list of flags, as for the launcher
        SIDECAR_CMD=("$JAVA" -XX:+UseSerialGC -Xmx256m ${SIDECAR_JAVA_OPTS:-} -jar "$home/sidecar.jar")
    else
        die "no sidecar in $home: build it first with: mvn -q -pl sidecar -am -DskipTests package"
    fi
}

# The last lines of a log file, indented, for error messages; never fails.
tail_of() {
    if [[ -f "$1" ]]; then
        tail -n "${2:-15}" "$1" | sed 's/^/    /'
    else
        echo "    ($1 does not exist)"
    fi
}

# Sends SIGTERM to every live process of the given pid files, waits until all are gone (at most
# $TIMEOUT seconds), then SIGKILLs the rest. Removes the pid files. $DIR is the folder the
# processes belong to (see pid_alive). Used by stop-cluster.sh and stop-kafka.sh.
stop_all() {
    local pid_file pids=() files=()
    for pid_file in "$@"; do
        [[ -f "$pid_file" ]] || continue
        if pid_alive "$pid_file" "$DIR"; then
            pids+=("$(cat "$pid_file")")
            files+=("$pid_file")
            kill -TERM "$(cat "$pid_file")" 2>/dev/null || true
        else
            rm -f "$pid_file"
        fi
    done
    [[ ${#files[@]} -gt 0 ]] || return 0
    local deadline=$(($(date +%s) + TIMEOUT)) running
    while true; do
        running=()
        for pid_file in "${files[@]}"; do
            pid_alive "$pid_file" "$DIR" && running+=("$pid_file")
        done
        [[ ${#running[@]} -gt 0 ]] || break
        if (($(date +%s) >= deadline)); then
            for pid_file in "${running[@]}"; do
                echo "$(basename "$(dirname "$pid_file")")/$(basename "$pid_file" .pid) did not stop within ${TIMEOUT}s: killed" >&2
                kill -KILL "$(cat "$pid_file")" 2>/dev/null || true
            done
            break
        fi
        sleep 0.2
    done
    for pid_file in "${files[@]}"; do
        echo "stopped $(basename "$(dirname "$pid_file")")/$(basename "$pid_file" .pid) (pid $(cat "$pid_file"))"
        rm -f "$pid_file"
    done
}
