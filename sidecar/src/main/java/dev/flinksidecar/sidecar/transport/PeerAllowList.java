package dev.flinksidecar.sidecar.transport;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Who may use one of the sidecar's sockets: its own user always, plus the users of an {@code
 * allowed-uids} setting and the peers whose (primary) group is in an {@code allowed-gids} setting.
 * Root is not special: a sidecar that does not run as root lets root in only when 0 is listed.
 *
 * <p>Immutable; any thread.
 */
public final class PeerAllowList {

    private final int ownUid;
    private final Set<Integer> uids;
    private final Set<Integer> gids;
    private final String uidsKey;
    private final String gidsKey;

    /**
     * @param ownUid the sidecar's own user id, always allowed
     * @param uids further allowed user ids
     * @param gids allowed (primary) group ids
     * @param uidsKey the setting that lists {@code uids}, named in refusals
     * @param gidsKey the setting that lists {@code gids}, named in refusals
     */
    public PeerAllowList(
            int ownUid, List<Integer> uids, List<Integer> gids, String uidsKey, String gidsKey) {
        this.ownUid = ownUid;
        this.uids = new TreeSet<>(uids);
        this.gids = new TreeSet<>(gids);
        this.uidsKey = uidsKey;
        this.gidsKey = gidsKey;
    }

    /**
     * Empty when {@code peer} may connect; else why not, in words for a person that name the peer's
     * uid and the settings that would let it in.
     */
    public Optional<String> refusal(PeerIdentity peer) {
        if (peer.uid() == ownUid || uids.contains(peer.uid()) || gids.contains(peer.gid())) {
            return Optional.empty();
        }
        return Optional.of(
                peer
                        + " may not connect: the sidecar lets in its own uid "
                        + ownUid
                        + ", the uids of "
                        + uidsKey
                        + " "
                        + uids
                        + " and the gids of "
                        + gidsKey
                        + " "
                        + gids);
    }

    @Override
    public String toString() {
        // on the path to ready (the start logs it): String.concat, not + (see ServeCommand)
        return String.join(
                "",
                "uid ",
                Integer.toString(ownUid),
                ", ",
                uidsKey,
                " ",
                uids.toString(),
                ", ",
                gidsKey,
                " ",
                gids.toString());
    }
}
