#!/bin/sh
# Writes the class data sharing archive sidecar.jsa beside sidecar.jar, in place: the archive
# records the jar's path and modification time, so it is made where the image keeps the jar (the
# Dockerfile runs this after copying the jar). The training is the sidecar's own (CdsTraining: a
# serve with two rules, a session, the health and metrics endpoints), started as `bin/sidecar`
# starts the sidecar (`-jar HOME/sidecar.jar`, Netty's library from HOME/lib) with the same Java;
# the sidecar module's build does the same for sidecar/target/sidecar.jsa.
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
"$java" "-XX:ArchiveClassesAtExit=$home/sidecar.jsa" -Xlog:cds=error "-Djava.library.path=$home/lib" \
    -jar "$home/sidecar.jar" --cds-training
[ -s "$home/sidecar.jsa" ] || { echo "$0: the training wrote no $home/sidecar.jsa" >&2; exit 1; }
