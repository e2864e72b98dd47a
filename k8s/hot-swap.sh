#!/bin/sh
# Hot-swaps a rule on every TaskManager pod's sidecar: copies RULE.jar (and CONFIG.json) into the
# sidecar container with `kubectl exec -i` (a tar stream on stdin) and runs the sidecar's
# `admin deploy` there, pod by pod. Prints one line per pod and a summary; exits non-zero when any
# pod failed (the others keep the new version: run it again, or `admin rollback` them).
#
#   k8s/hot-swap.sh [-n NAMESPACE] [-l SELECTOR] [--at-checkpoint N] RULE.jar [CONFIG.json]
#
# Pods: -l SELECTOR (default app=flink-sidecar-job,component=taskmanager, the labels of the
# TaskManager pods of both overlays). --at-checkpoint N is passed to `admin deploy`: every
# sidecar then switches right after checkpoint N, so all subtasks change version at the same
# checkpoint. The paths in the pod are those of k8s/components/taskmanager-sidecar; the k8s
# module's tests check that they agree. KUBECTL names another kubectl (e.g. "oc").
set -eu

usage() {
    echo "usage: $0 [-n NAMESPACE] [-l SELECTOR] [--at-checkpoint N] RULE.jar [CONFIG.json]" >&2
    exit 2
}

KUBECTL=${KUBECTL:-kubectl}
selector=app=flink-sidecar-job,component=taskmanager
container=flink-sidecar
sidecar_bin=/opt/flink-sidecar/bin/sidecar
admin_socket=/var/run/flink-sidecar/sock/sidecar.sock.admin
namespace=
at_checkpoint=
while [ $# -gt 0 ]; do
    case "$1" in
        -n|--namespace) [ $# -ge 2 ] || usage; namespace=$2; shift 2 ;;
        -l|--selector) [ $# -ge 2 ] || usage; selector=$2; shift 2 ;;
        --at-checkpoint) [ $# -ge 2 ] || usage; at_checkpoint=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) echo "$0: unknown option $1" >&2; usage ;;
        *) break ;;
    esac
done
[ $# -ge 1 ] && [ $# -le 2 ] || usage
jar=$1
config=${2:-}
[ -f "$jar" ] || { echo "$0: rule jar $jar does not exist" >&2; exit 2; }
[ -z "$config" ] || [ -f "$config" ] || { echo "$0: config $config does not exist" >&2; exit 2; }

ns() { if [ -n "$namespace" ]; then "$KUBECTL" -n "$namespace" "$@"; else "$KUBECTL" "$@"; fi; }

# Runs in the sidecar container: unpacks the files into a private temporary folder (the image's
# /tmp is an emptyDir; the root filesystem is read-only), deploys, removes the folder.
# Arguments: SIDECAR_BIN ADMIN_SOCKET JAR_NAME CONFIG_NAME_OR_EMPTY [admin deploy flags...]
remote='set -eu
bin=$1; admin=$2; jar=$3; config=$4; shift 4
dir=$(mktemp -d)
trap '"'"'rm -rf "$dir"'"'"' EXIT
tar -xf - -C "$dir"
if [ -n "$config" ]; then set -- --config "$dir/$config" "$@"; fi
"$bin" admin --socket "$admin" deploy "$dir/$jar" "$@"'

pods=$(ns get pods -l "$selector" -o name) || { echo "$0: cannot list pods with $selector" >&2; exit 1; }
[ -n "$pods" ] || { echo "$0: no pods match $selector${namespace:+ in namespace $namespace}" >&2; exit 1; }

jar_name=$(basename "$jar")
config_name=
[ -z "$config" ] || config_name=$(basename "$config")
set --
[ -z "$at_checkpoint" ] || set -- --at-checkpoint "$at_checkpoint"

# The files for the pod, as a tar stream with their own names (the jar's name is the rule id
# unless the config has an "id").
pack() {
    if [ -n "$config" ]; then
        tar -cf - -C "$(dirname "$jar")" "$jar_name" -C "$(cd "$(dirname "$config")" && pwd)" "$config_name"
    else
        tar -cf - -C "$(dirname "$jar")" "$jar_name"
    fi
}

total=0
failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for pod in $pods; do
    pod=${pod#pod/}
    total=$((total + 1))
    if pack | ns exec -i "$pod" -c "$container" -- sh -c "$remote" hot-swap \
                "$sidecar_bin" "$admin_socket" "$jar_name" "$config_name" "$@" >"$out" 2>&1; then
        echo "$pod: $(cat "$out")"
    else
        failed=$((failed + 1))
        echo "$pod: FAILED: $(cat "$out")"
    fi
done
if [ "$failed" -gt 0 ]; then
    echo "hot-swap: $jar_name failed on $failed of $total pods" >&2
    exit 1
fi
echo "hot-swap: $jar_name deployed on $total pods"
