#!/usr/bin/env bash
# Hot-swaps a rule on every sidecar of the cluster while jobs run: `sidecar admin deploy` on each
# TaskManager's sidecar in turn, over its admin socket. Other admin commands the same way:
#   cluster/bin/swap-rule.sh [--dir DIR] JAR [--config FILE] [--at-checkpoint N]
#   cluster/bin/swap-rule.sh [--dir DIR] --admin list|status|rollback RULE|remove RULE
# Stops at the first sidecar that refuses, naming it; the sidecars before it run the new version
# (undo with --admin rollback RULE).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

usage() {
    cat <<EOF
Usage: cluster/bin/swap-rule.sh [--dir DIR] JAR [--config FILE] [--at-checkpoint N]
       cluster/bin/swap-rule.sh [--dir DIR] --admin ADMIN_ARGUMENTS...
  --dir DIR     the cluster's folder (default: \$CLUSTER_DIR, else cluster/target/cluster)
  JAR ...       deploys the rule jar (with its config) on every sidecar: sidecar admin deploy JAR ...
  --admin ...   runs any sidecar admin command on every sidecar, e.g. --admin list
EOF
}

DIR_ARG=""
if [[ "${1:-}" == "--dir" ]]; then
    DIR_ARG="${2:?--dir needs a value}"
    shift 2
fi
case "${1:-}" in
    ""|-h|--help) usage; [[ -n "${1:-}" ]]; exit $? ;;
    --admin) shift; ADMIN_ARGS=("$@") ;;
    *)
        [[ -f "$1" ]] || die "no rule jar $1"
        jar="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
        ADMIN_ARGS=(deploy "$jar" "${@:2}") ;;
esac
[[ ${#ADMIN_ARGS[@]} -gt 0 ]] || die "--admin needs a command, e.g. --admin list"

DIR="$(resolve_cluster_dir "$DIR_ARG")"
[[ -f "$DIR/cluster.env" ]] || die "no cluster in $DIR (start one with cluster/bin/start-cluster.sh --dir $DIR)"
source "$DIR/cluster.env"
set_sidecar_command "$DIR/sidecar"

done_on=()
for i in $(seq 1 "$TASKMANAGERS"); do
    admin_socket="$DIR/tm-$i/sidecar.sock.admin"
    echo "tm-$i: sidecar admin ${ADMIN_ARGS[*]}"
    if ! "${SIDECAR_CMD[@]}" admin --socket "$admin_socket" "${ADMIN_ARGS[@]}" 2>&1 | sed 's/^/  /'; then
        echo "swap-rule.sh: the sidecar of tm-$i refused or did not answer on $admin_socket (its log: $DIR/tm-$i/sidecar.out)" >&2
        [[ ${#done_on[@]} -eq 0 ]] || echo "  done before on: ${done_on[*]}" >&2
        exit 1
    fi
    done_on+=("tm-$i")
done
