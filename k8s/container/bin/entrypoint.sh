#!/bin/sh
# The sidecar image's entrypoint: `entrypoint.sh serve --socket PATH ...` (or any sidecar command).
#
# umask 0007: the socket folder made here is for the sidecar's own user and group only. In the
# TaskManager pod both containers share the group (fsGroup 9999), so the TaskManager can reach the
# socket and no other user can list or replace it; the emptyDir Kubernetes mounts is
# world-writable, hence a folder of our own inside it. The socket files' modes do not depend on
# the umask: the sidecar sets them (rw-------, or rw-rw---- with sidecar.transport.socket-group).
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
