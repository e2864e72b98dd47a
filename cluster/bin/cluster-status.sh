#!/usr/bin/env bash
# Shows the state of the cluster in a folder: the JobManager (REST /overview), the TaskManagers
# registered with it, every sidecar (process alive, socket accepting) and the jobs.
# Exit code 0 when everything of the cluster is up, 1 otherwise.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

usage() {
    cat <<EOF
Usage: cluster/bin/cluster-status.sh [--dir DIR]
  --dir DIR   the cluster's folder (default: \$CLUSTER_DIR, else cluster/target/cluster)
EOF
}

DIR_ARG=""
while [[ $# -gt 0 ]]; do
    case "$1" in
        --dir) DIR_ARG="${2:?--dir needs a value}"; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument '$1'" ;;
    esac
done
DIR="$(resolve_cluster_dir "$DIR_ARG")"
[[ -f "$DIR/cluster.env" ]] || die "no cluster in $DIR (start one with cluster/bin/start-cluster.sh --dir $DIR)"
source "$DIR/cluster.env"

healthy=true
say_process() { # LABEL PID_FILE LOG
    if pid_alive "$2" "$DIR"; then
        printf '  %-22s running (pid %s)\n' "$1" "$(cat "$2")"
    else
        printf '  %-22s NOT RUNNING (log: %s)\n' "$1" "$3"
        healthy=false
    fi
}

echo "cluster $DIR"
say_process "JobManager" "$DIR/jobmanager/jobmanager.pid" "$DIR/jobmanager/jobmanager.log"
if overview="$(rest_get "$REST_PORT" /overview)"; then
    echo "$overview" | json_get 'sprintf("  %-22s http://localhost:%s  Flink %s; %d TaskManagers, %d of %d slots free; jobs: %d running, %d finished, %d cancelled, %d failed",
        "REST", '"$REST_PORT"', $j->{"flink-version"}, $j->{taskmanagers}, $j->{"slots-available"}, $j->{"slots-total"},
        $j->{"jobs-running"}, $j->{"jobs-finished"}, $j->{"jobs-cancelled"}, $j->{"jobs-failed"})'
    echo
    registered="$(rest_get "$REST_PORT" /taskmanagers | json_get 'join(" ", sort map { $_->{id} } @{$j->{taskmanagers}})')"
else
    printf '  %-22s NOT ANSWERING at http://localhost:%s/overview\n' "REST" "$REST_PORT"
    registered=""
    healthy=false
fi

for i in $(seq 1 "$TASKMANAGERS"); do
    tm="$DIR/tm-$i"
    say_process "tm-$i TaskManager" "$tm/taskmanager.pid" "$tm/taskmanager.log"
    if [[ " $registered " == *" tm-$i "* ]]; then
        printf '  %-22s registered with the JobManager\n' ""
    else
        printf '  %-22s NOT REGISTERED with the JobManager\n' ""
        healthy=false
    fi
    say_process "tm-$i sidecar" "$tm/sidecar.pid" "$tm/sidecar.out"
    if socket_listening "$tm/sidecar.sock"; then
        printf '  %-22s accepting on %s (admin: %s.admin)\n' "" "$tm/sidecar.sock" "$tm/sidecar.sock"
    else
        printf '  %-22s NOT ACCEPTING on %s\n' "" "$tm/sidecar.sock"
        healthy=false
    fi
done

if jobs="$(rest_get "$REST_PORT" /jobs/overview 2>/dev/null)"; then
    echo "jobs"
    echo "$jobs" | json_get 'join("", map { sprintf("  %s  %-10s %s\n", $_->{jid}, $_->{state}, $_->{name}) }
        sort { $b->{"start-time"} <=> $a->{"start-time"} } @{$j->{jobs}}) || "  (none)\n"'
fi

$healthy
