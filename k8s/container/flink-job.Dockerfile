# The Flink image with the sidecar job in /opt/flink/usrlib (what both overlays run as JobManager
# and TaskManager). Build context: flink-job/target (flink-sidecar-job.jar, made by `mvn package`).
#   docker build -t REGISTRY/flink-sidecar-job:0.1.0-SNAPSHOT -f k8s/container/flink-job.Dockerfile flink-job/target
# The tag follows flink.version in pom.xml (Flink 2.3.0, Java 17).
FROM flink:2.3.0-java17
COPY --chown=flink:flink flink-sidecar-job.jar /opt/flink/usrlib/flink-sidecar-job.jar
