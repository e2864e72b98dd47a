package dev.flinksidecar.sidecar.transport;

import com.sun.security.auth.module.UnixSystem;
import dev.flinksidecar.sidecar.ConfigOption;
import dev.flinksidecar.sidecar.SidecarConfig;
import dev.flinksidecar.sidecar.SidecarOptions;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.attribute.GroupPrincipal;
import java.util.List;

/**
 * Who may use one of the sidecar's sockets, from its settings: the socket file's {@link
 * SocketPermissions} ({@code socket-group}) and the {@link PeerAllowList} every connection is
 * checked against ({@code allowed-uids}, {@code allowed-gids}). The data socket and the admin
 * socket each have their own three settings, so that letting the TaskManager's group send events
 * does not let it deploy rules.
 *
 * @param permissions the socket file's mode and group
 * @param allowList who may connect
 */
public record SocketAccess(SocketPermissions permissions, PeerAllowList allowList) {

    /**
     * The data socket's: {@code sidecar.transport.socket-group}, {@code allowed-uids}, {@code
     * allowed-gids}.
     */
    public static SocketAccess dataSocket(SidecarConfig config) throws SocketPathException {
        return of(
                config,
                SidecarOptions.SOCKET_GROUP,
                SidecarOptions.ALLOWED_UIDS,
                SidecarOptions.ALLOWED_GIDS);
    }

    /**
     * The admin socket's: {@code sidecar.admin.socket-group}, {@code allowed-uids}, {@code
     * allowed-gids}.
     */
    public static SocketAccess adminSocket(SidecarConfig config) throws SocketPathException {
        return of(
                config,
                SidecarOptions.ADMIN_SOCKET_GROUP,
                SidecarOptions.ADMIN_ALLOWED_UIDS,
                SidecarOptions.ADMIN_ALLOWED_GIDS);
    }

    private static SocketAccess of(
            SidecarConfig config,
            ConfigOption<String> groupOption,
            ConfigOption<List<Integer>> uidsOption,
            ConfigOption<List<Integer>> gidsOption)
            throws SocketPathException {
        String group = config.get(groupOption).trim();
        SocketPermissions permissions =
                group.isEmpty()
                        ? SocketPermissions.ownerOnly()
                        : SocketPermissions.withGroup(lookUpGroup(groupOption, group));
        return new SocketAccess(
                permissions,
                new PeerAllowList(
                        ownUid(),
                        config.get(uidsOption),
                        config.get(gidsOption),
                        uidsOption.key(),
                        gidsOption.key()));
    }

    /** A group by name, or by number (the JDK takes a number when no group has that name). */
    private static GroupPrincipal lookUpGroup(ConfigOption<String> option, String name)
            throws SocketPathException {
        try {
            return FileSystems.getDefault()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByGroupName(name);
        } catch (IOException e) {
            throw new SocketPathException(
                    option.key() + ": there is no group '" + name + "' on this system", false);
        }
    }

    /**
     * The sidecar process's user id ({@code getuid}; the sidecar is never setuid, so it is also the
     * effective uid that the kernel reports for its own clients and that owns its files).
     */
    static int ownUid() {
        return (int) new UnixSystem().getUid();
    }
}
