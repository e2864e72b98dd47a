package dev.flinksidecar.job.kafka;

import dev.flinksidecar.job.UsageException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A {@code kafka://HOST:PORT[,HOST:PORT...]/TOPIC[?NAME=VALUE&...]} address of {@code --input} or
 * {@code --output}: the bootstrap servers, one topic and the query parameters, checked. Immutable.
 *
 * <p>Parsed by hand rather than with {@link java.net.URI}, which takes no comma-separated host
 * list; every error names the flag, the address and what is wrong with it.
 */
public final class KafkaUri {

    /**
     * The scheme that makes {@code --input} or {@code --output} a Kafka topic instead of a path.
     */
    public static final String SCHEME = "kafka://";

    /** Kafka's own rule for topic names (legal characters; at most 249 of them). */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

    private static final Pattern HOST = Pattern.compile("[a-zA-Z0-9.-]+|\\[[0-9a-fA-F:]+\\]");

    private final String flag;
    private final String text;
    private final String bootstrapServers;
    private final String topic;
    private final Map<String, String> params;

    private KafkaUri(
            String flag,
            String text,
            String bootstrapServers,
            String topic,
            Map<String, String> params) {
        this.flag = flag;
        this.text = text;
        this.bootstrapServers = bootstrapServers;
        this.topic = topic;
        this.params = params;
    }

    /** Whether {@code value} of {@code --input} or {@code --output} is a Kafka address. */
    public static boolean isKafka(String value) {
        return value != null && value.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * Parses {@code text}, the value of {@code flag}.
     *
     * @param allowed the query parameters this flag takes
     * @throws UsageException naming the flag and what is wrong: the host list, a port, the topic,
     *     an unknown, repeated or empty parameter
     */
    public static KafkaUri parse(String flag, String text, Set<String> allowed)
            throws UsageException {
        if (!isKafka(text)) {
            throw new UsageException(flag + " " + text + ": a Kafka address starts with " + SCHEME);
        }
        String rest = text.substring(SCHEME.length());
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        int slash = rest.indexOf('/');
        if (slash < 0) {
            throw error(flag, text, "no topic: write " + SCHEME + "HOST:PORT/TOPIC");
        }
        String hosts = rest.substring(0, slash);
        String topic = rest.substring(slash + 1);
        if (hosts.isEmpty()) {
            throw error(flag, text, "no bootstrap server: write " + SCHEME + "HOST:PORT/TOPIC");
        }
        for (String server : hosts.split(",", -1)) {
            checkServer(flag, text, server);
        }
        if (topic.isEmpty()) {
            throw error(
                    flag, text, "no topic after the servers: write " + SCHEME + "HOST:PORT/TOPIC");
        }
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw error(
                    flag,
                    text,
                    "'"
                            + topic
                            + "' is not a Kafka topic name (letters, digits, '.', '_' and '-',"
                            + " at most 249)");
        }
        return new KafkaUri(flag, text, hosts, topic, params(flag, text, query, allowed));
    }

    private static void checkServer(String flag, String text, String server) throws UsageException {
        int colon = server.lastIndexOf(':');
        if (server.isEmpty()) {
            throw error(flag, text, "an empty server in the list (a stray comma?)");
        }
        if (colon <= 0 || colon == server.length() - 1) {
            throw error(flag, text, "server '" + server + "' has no port: write HOST:PORT");
        }
        String host = server.substring(0, colon);
        String port = server.substring(colon + 1);
        if (!HOST.matcher(host).matches()) {
            throw error(flag, text, "'" + host + "' is not a host name or address");
        }
        int number;
        try {
            number = Integer.parseInt(port);
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > 65535) {
            throw error(
                    flag,
                    text,
                    "port '"
                            + port
                            + "' of server '"
                            + server
                            + "' is not a number from 1 to 65535");
        }
    }

    private static Map<String, String> params(
            String flag, String text, String query, Set<String> allowed) throws UsageException {
        Map<String, String> params = new LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return Collections.unmodifiableMap(params);
        }
        for (String pair : query.split("&", -1)) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!allowed.contains(name)) {
                throw error(
                        flag,
                        text,
                        "unknown parameter '"
                                + name
                                + "'"
                                + (allowed.isEmpty()
                                        ? " (this flag takes none)"
                                        : "; known: " + String.join(", ", allowed)));
            }
            if (value.isEmpty()) {
                throw error(
                        flag, text, "parameter '" + name + "' needs a value: " + name + "=VALUE");
            }
            if (params.put(name, value) != null) {
                throw error(flag, text, "parameter '" + name + "' is given twice");
            }
        }
        return Collections.unmodifiableMap(params);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    /** An error about this address, naming the flag and the address. */
    UsageException error(String what) {
        return error(flag, text, what);
    }

    private static UsageException error(String flag, String text, String what) {
        return new UsageException(flag + " " + text + ": " + what);
    }

    /** The bootstrap servers, {@code HOST:PORT[,HOST:PORT...]}, as Kafka's clients take them. */
    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String topic() {
        return topic;
    }

    /** A query parameter, or {@code orElse} when absent. */
    public String param(String name, String orElse) {
        return params.getOrDefault(name, orElse);
    }

    /** The address as given. */
    @Override
    public String toString() {
        return text;
    }
}
