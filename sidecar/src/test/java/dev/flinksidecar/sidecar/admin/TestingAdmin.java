package dev.flinksidecar.sidecar.admin;

import dev.flinksidecar.sidecar.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs {@code admin --socket PATH ...} in process, as a person would from a shell, and keeps what
 * it printed.
 */
final class TestingAdmin {

    private final Path socket;
    private String out = "";
    private String err = "";

    TestingAdmin(Path socket) {
        this.socket = socket;
    }

    /** Runs {@code admin --socket SOCKET args...}; returns the exit code. */
    int run(String... args) {
        List<String> command = new ArrayList<>(List.of("admin", "--socket", socket.toString()));
        command.addAll(List.of(args));
        StringWriter outText = new StringWriter();
        StringWriter errText = new StringWriter();
        int code =
                Main.run(
                        new PrintWriter(outText, true),
                        new PrintWriter(errText, true),
                        command.toArray(new String[0]));
        out = outText.toString();
        err = errText.toString();
        return code;
    }

    /** What the last run printed on stdout. */
    String out() {
        return out;
    }

    /** What the last run printed on stderr. */
    String err() {
        return err;
    }
}
