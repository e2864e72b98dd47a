package dev.flinksidecar.sidecar;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests to a sidecar's HTTP endpoint ({@code serve --http-port 0}), with the JDK's own HTTP
 * client.
 */
public final class TestingHttp {

    private static final Pattern PORT = Pattern.compile("HTTP on port (\\d+)");
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private TestingHttp() {}

    /** The port the sidecar logged ({@code HTTP on port N}), waiting for the line. */
    public static int port(ServeProcess sidecar) {
        Deadline.await(
                "the sidecar to log its HTTP port; its log:\n" + sidecar.logText(),
                Duration.ofSeconds(60),
                () -> PORT.matcher(sidecar.logText()).find());
        Matcher m = PORT.matcher(sidecar.logText());
        m.find();
        return Integer.parseInt(m.group(1));
    }

    /** One response: status and body. */
    public record Response(int status, String body, String contentType) {}

    public static Response get(int port, String path) {
        return request(port, "GET", path);
    }

    public static Response request(int port, String method, String path) {
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .timeout(Duration.ofSeconds(20))
                        .build();
        try {
            HttpResponse<String> response =
                    CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(
                    response.statusCode(),
                    response.body(),
                    response.headers().firstValue("content-type").orElse(""));
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The status of {@code GET path}, or -1 when the connection fails (the server is gone). */
    public static int status(int port, String path) {
        try {
            return get(port, path).status();
        } catch (UncheckedIOException e) {
            return -1;
        }
    }
}
