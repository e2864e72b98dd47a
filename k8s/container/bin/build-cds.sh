#!/bin/sh
# Writes the class data sharing archive sidecar.jsa beside sidecar.jar, in place: the archive
# records the jar's path and modification time, so it is made where the image keeps the jar (the
# Dockerfile runs this after copying the jar). The training is the sidecar's own (CdsTraining: a
# serve with one rule, a session, the health and metrics endpoints), run on the class path of
# `bin/sidecar` (`-jar HOME/sidecar.jar`) with the same Java; the sidecar module's build does the
# same for sidecar/target/sidecar.jsa.
set -eu
self=$(readlink -f "$0" 2>/dev/null || printf '%s' "$0")
home=$(cd "$(dirname "$self")/.." && pwd -P)
if [ -n "${JAVA_HOME:-}" ]; then
    java="$JAVA_HOME/bin/java"
else
    java=java
fi
rm -f "$home/sidecar.jsa"
# -Xlog:cds=error: not one warning per picocli class (Java 5 class files cannot be archived).
"$java" "-XX:ArchiveClassesAtExit=$home/sidecar.jsa" -Xlog:cds=error -cp "$home/sidecar.jar" \
    dev.flinksidecar.sidecar.footprint.CdsTraining
[ -s "$home/sidecar.jsa" ] || { echo "$0: the training wrote no $home/sidecar.jsa" >&2; exit 1; }
