package dev.flinksidecar.sidecar.transport;

/**
 * Who is at the other end of a Unix domain socket connection, as the kernel saw it when the peer
 * connected (SO_PEERCRED): its user id, its primary group id and its process id.
 *
 * @param uid the peer's effective user id
 * @param gid the peer's effective (primary) group id; SO_PEERCRED does not report supplementary
 *     groups
 * @param pid the peer's process id, or -1 when the transport does not report it (the JDK's NIO
 *     channels)
 */
public record PeerIdentity(int uid, int gid, long pid) {

    /** For logs and refusals: {@code uid 65534 (gid 65534, pid 4711)}. */
    @Override
    public String toString() {
        return "uid " + uid + " (gid " + gid + (pid >= 0 ? ", pid " + pid : "") + ")";
    }
}
