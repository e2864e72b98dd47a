package dev.flinksidecar.sidecar.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The mode (and group) a socket file gets: {@code rw-------} for the sidecar's user only, or {@code
 * rw-rw----} with a group whose members may connect too. Set explicitly after bind, so the
 * process's umask never decides it.
 *
 * <p>Immutable; any thread.
 */
public final class SocketPermissions {

    private static final Set<PosixFilePermission> OWNER_ONLY =
            PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OWNER_AND_GROUP =
            PosixFilePermissions.fromString("rw-rw----");

    private final GroupPrincipal group;

    private SocketPermissions(GroupPrincipal group) {
        this.group = group;
    }

    /** {@code rw-------}. */
    public static SocketPermissions ownerOnly() {
        return new SocketPermissions(null);
    }

    /** {@code rw-rw----} and group {@code group}. */
    public static SocketPermissions withGroup(GroupPrincipal group) {
        return new SocketPermissions(group);
    }

    /** The mode this gives, e.g. {@code rw-------}. */
    public Set<PosixFilePermission> mode() {
        return group == null ? OWNER_ONLY : OWNER_AND_GROUP;
    }

    /**
     * Gives {@code socket} this group (if any) and mode, and reads them back.
     *
     * @throws IOException naming the file and what could not be set
     */
    void applyTo(Path socket) throws IOException {
        // Links followed: the JDK opens the file to change it without following links, and a
        // socket cannot be opened. The file is in a folder only this user can enter
        // (PrivateSocketBind), so nobody can have replaced it with a link.
        PosixFileAttributeView view =
                Files.getFileAttributeView(socket, PosixFileAttributeView.class);
        if (group != null) {
            try {
                view.setGroup(group);
            } catch (IOException e) {
                throw new IOException(
                        "cannot give socket "
                                + socket
                                + " to group "
                                + group.getName()
                                + " (the sidecar's user must be a member of it): "
                                + e,
                        e);
            }
        }
        view.setPermissions(mode());
        PosixFileAttributes attributes = view.readAttributes();
        if (!attributes.permissions().equals(mode())
                || (group != null && !attributes.group().equals(group))) {
            throw new IOException(
                    "socket "
                            + socket
                            + " has mode "
                            + PosixFilePermissions.toString(attributes.permissions())
                            + " and group "
                            + attributes.group().getName()
                            + " after setting "
                            + this);
        }
    }

    @Override
    public String toString() {
        // on the path to ready (the start logs it): String.concat, not + (see ServeCommand)
        String mode = PosixFilePermissions.toString(mode());
        return group == null ? mode : mode.concat(" group ").concat(group.getName());
    }
}
