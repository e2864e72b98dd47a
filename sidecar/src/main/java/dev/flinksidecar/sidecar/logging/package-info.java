/**
 * The sidecar's SLF4J backend: one line per message on stderr, as {@code 2026-11-26T12:17:53.062Z
 * [main] [INFO] Timelines - activated threshold@1.0.0+c4c6863}.
 *
 * <p>It replaces slf4j-simple, whose date format (SimpleDateFormat and its locale data) and
 * provider lookup cost a cold JVM about 90 ms of the sidecar's start (BENCHMARKS.md,
 * StartupFootprint). Levels are set with the system properties slf4j-simple read, so settings made
 * for it still work: {@code org.slf4j.simpleLogger.defaultLogLevel} and {@code
 * org.slf4j.simpleLogger.log.NAME} (for a logger and the loggers below it).
 */
package dev.flinksidecar.sidecar.logging;
