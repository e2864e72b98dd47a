#!/bin/sh
# The sidecar image's entrypoint: `entrypoint.sh serve --socket PATH ...` (or any sidecar command).
#
# umask 0007: what the sidecar creates (the socket files, the socket folder made here) is for its
# own user and group only. In the TaskManager pod both containers share the group (fsGroup 9999),
# so the TaskManager can connect and no other user can open, list or replace the socket; the
# emptyDir Kubernetes mounts is world-writable, hence a folder of our own inside it.
set -eu
umask 0007
previous=
for arg in "$@"; do
    if [ "$previous" = "--socket" ]; then
        mkdir -p "$(dirname "$arg")"
    fi
    previous=$arg
done
exec "$(dirname "$0")/sidecar" "$@"
