package dev.flinksidecar.sidecar.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Turns the user and group names that the JDK's SO_PEERCRED reports back into numeric ids: a name
 * that is a number is that id (the JDK reports the number when the system has no name for it), any
 * other name is looked up in {@code /etc/passwd} or {@code /etc/group}, the files the JDK's own
 * lookup reads on the systems the sidecar runs on (containers, plain Linux hosts). A name found in
 * neither is an error, and the connection is refused.
 *
 * <p>Only the NIO transport needs this; epoll reports numbers. Stateless; reads the files at each
 * call (a refused or new peer is rare, a connection is long-lived).
 */
final class AccountIds {

    private final Path passwd;
    private final Path group;

    AccountIds(Path passwd, Path group) {
        this.passwd = passwd;
        this.group = group;
    }

    static AccountIds system() {
        return new AccountIds(Path.of("/etc/passwd"), Path.of("/etc/group"));
    }

    int uidOf(String user) throws IOException {
        return idOf(user, passwd, "user");
    }

    int gidOf(String groupName) throws IOException {
        return idOf(groupName, group, "group");
    }

    /** The third field of the line of {@code name} in a colon-separated account file. */
    private static int idOf(String name, Path file, String what) throws IOException {
        if (isNumber(name)) {
            return (int) Long.parseLong(name);
        }
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            lines = List.of();
        }
        for (String line : lines) {
            String[] fields = line.split(":", -1);
            if (fields.length >= 3 && fields[0].equals(name) && isNumber(fields[2])) {
                return (int) Long.parseLong(fields[2]);
            }
        }
        throw new IOException("the id of " + what + " '" + name + "' is not in " + file);
    }

    private static boolean isNumber(String text) {
        return !text.isEmpty() && text.length() <= 10 && text.chars().allMatch(Character::isDigit);
    }
}
