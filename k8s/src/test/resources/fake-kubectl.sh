#!/bin/sh
# A stand-in for kubectl in HotSwapScriptITCase: the API server is faked, the containers are not.
# Every call is appended to $FAKE_KUBECTL_LOG.
#   get pods -l SELECTOR -o name   the pods $FAKE_POD_NAMES when SELECTOR is $FAKE_SELECTOR, else none
#   exec [-i] POD -c CONTAINER -- COMMAND...
#                                  runs COMMAND here, stdin passed through, with the pod's paths
#                                  mapped: /opt/flink-sidecar/... (the image) into $FAKE_IMAGE, any
#                                  other absolute path into the pod's folder $FAKE_PODS/POD
set -eu
printf '%s\n' "$*" >> "$FAKE_KUBECTL_LOG"
if [ "$1" = "-n" ]; then
    shift 2
fi
case "$1" in
    get)
        if [ "$2 $3 $5 $6" != "pods -l -o name" ]; then
            echo "fake kubectl: unexpected call: $*" >&2
            exit 1
        fi
        if [ "$4" = "$FAKE_SELECTOR" ]; then
            for pod in $FAKE_POD_NAMES; do
                echo "pod/$pod"
            done
        fi
        ;;
    exec)
        shift
        pod=
        while [ "$1" != "--" ]; do
            case "$1" in
                -i) ;;
                -c)
                    if [ "$2" != "$FAKE_CONTAINER" ]; then
                        echo "error: container $2 is not valid for pod $pod" >&2
                        exit 1
                    fi
                    shift
                    ;;
                *) pod=$1 ;;
            esac
            shift
        done
        shift
        root="$FAKE_PODS/$pod"
        if [ ! -d "$root" ]; then
            echo "Error from server (NotFound): pods \"$pod\" not found" >&2
            exit 1
        fi
        n=$#
        while [ "$n" -gt 0 ]; do
            arg=$1
            shift
            n=$((n - 1))
            case "$arg" in
                /opt/flink-sidecar | /opt/flink-sidecar/*) arg="$FAKE_IMAGE$arg" ;;
                /*) arg="$root$arg" ;;
            esac
            set -- "$@" "$arg"
        done
        TMPDIR="$root/tmp" exec "$@"
        ;;
    *)
        echo "fake kubectl: unexpected call: $*" >&2
        exit 1
        ;;
esac
