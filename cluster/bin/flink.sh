#!/usr/bin/env bash
# Flink's command-line client (CliFrontend, what `flink` runs) against the cluster in a folder:
#   cluster/bin/flink.sh [--dir DIR] run|list|cancel|savepoint|info ... (Flink's own arguments)
# FLINK_CONF_DIR is the cluster's conf/ (the JobManager's REST address); the client logs to
# DIR/client/flink-cli.log.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/cluster-lib.sh"

DIR_ARG=""
if [[ "${1:-}" == "--dir" ]]; then
    DIR_ARG="${2:?--dir needs a value}"
    shift 2
fi
require_flink_lib
DIR="$(resolve_cluster_dir "$DIR_ARG")"
[[ -f "$DIR/conf/config.yaml" ]] \
    || die "no cluster configuration in $DIR/conf: start the cluster first (cluster/bin/start-cluster.sh --dir $DIR)"

export FLINK_CONF_DIR="$DIR/conf"
export FLINK_LIB_DIR="$FLINK_LIB"
export FLINK_PLUGINS_DIR="$DIR/plugins"
mkdir -p "$DIR/client" "$FLINK_PLUGINS_DIR"
exec "$JAVA" "${FLINK_JAVA_OPTS[@]}" \
    -Dlog.file="$DIR/client/flink-cli.log" \
    -Dlog4j.configurationFile="file:$DIR/conf/log4j-cli.properties" \
    -classpath "$FLINK_LIB/*" org.apache.flink.client.cli.CliFrontend "$@"
