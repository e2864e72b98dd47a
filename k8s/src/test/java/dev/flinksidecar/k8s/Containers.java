package dev.flinksidecar.k8s;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** What a container's spec says about its command line and its mounts. */
final class Containers {

    private Containers() {}

    /** The container's args as strings. */
    static List<String> args(Map<String, Object> container) {
        List<String> args = new ArrayList<>();
        Object node = container.get("args");
        if (node != null) {
            for (Object arg : Tree.list(node, container.get("name") + " args")) {
                args.add(String.valueOf(arg));
            }
        }
        return args;
    }

    /** The value after {@code flag} in {@code args}, failing when it is not there. */
    static String option(List<String> args, String flag, String what) {
        int at = args.indexOf(flag);
        if (at < 0 || at + 1 >= args.size()) {
            throw new AssertionError(what + ": " + flag + " VALUE is missing from " + args);
        }
        return args.get(at + 1);
    }

    /** Where {@code path} in the container lives: which volume, and where inside it. */
    record Location(String volume, String pathInVolume, boolean readOnly) {}

    /**
     * The mount whose mountPath is the longest prefix of {@code path} (as the kernel resolves it),
     * or null when {@code path} is on the container's own filesystem.
     */
    static Location locate(Map<String, Object> container, String path) {
        Location best = null;
        int bestLength = -1;
        Object mounts = container.get("volumeMounts");
        if (mounts == null) {
            return null;
        }
        for (Object node : Tree.list(mounts, container.get("name") + " volumeMounts")) {
            Map<String, Object> mount = Tree.map(node, "volumeMount");
            String mountPath = trimSlash((String) mount.get("mountPath"));
            if ((path.equals(mountPath) || path.startsWith(mountPath + "/"))
                    && mountPath.length() > bestLength) {
                bestLength = mountPath.length();
                best =
                        new Location(
                                (String) mount.get("name"),
                                path.substring(mountPath.length()),
                                Boolean.TRUE.equals(mount.get("readOnly")));
            }
        }
        return best;
    }

    private static String trimSlash(String path) {
        return path.endsWith("/") && path.length() > 1
                ? path.substring(0, path.length() - 1)
                : path;
    }
}
