package dev.flinksidecar.sidecar.rules.loading;

/**
 * How much a rule jar may make the sidecar read, so that a jar is untrusted input like any other: a
 * zip bomb (an entry that inflates a thousandfold) or an oversized file is refused, named, before
 * it can exhaust the heap. {@link JarScan} inflates each entry streaming and stops at the first
 * limit passed; no entry is ever held whole beyond {@link #MAX_TEXT_BYTES}.
 *
 * @param maxJarBytes the largest jar file ({@code sidecar.rules.max-jar-bytes})
 * @param maxEntryBytes the largest entry, inflated ({@code sidecar.rules.max-entry-bytes})
 * @param maxInflatedBytes all entries together, inflated ({@code sidecar.rules.max-inflated-bytes})
 * @param maxEntryRatio the largest inflated-to-compressed ratio of an entry that inflates to more
 *     than {@link #RATIO_FROM_BYTES} ({@code sidecar.rules.max-entry-ratio})
 */
public record JarLimits(
        long maxJarBytes, long maxEntryBytes, long maxInflatedBytes, int maxEntryRatio) {

    /** Entries smaller than this inflated are never refused for their ratio. */
    public static final long RATIO_FROM_BYTES = 1024 * 1024;

    /**
     * The largest manifest, services file or rule config ({@code NAME.json}): these are read whole.
     */
    public static final int MAX_TEXT_BYTES = 1024 * 1024;

    /** The sidecar's defaults, as {@code SidecarOptions} has them. */
    public static final JarLimits DEFAULTS =
            new JarLimits(64L * 1024 * 1024, 64L * 1024 * 1024, 512L * 1024 * 1024, 100);

    /** The option that sets {@link #maxJarBytes}. */
    public static final String MAX_JAR_BYTES_OPTION = "sidecar.rules.max-jar-bytes";

    static final String MAX_ENTRY_BYTES_OPTION = "sidecar.rules.max-entry-bytes";
    static final String MAX_INFLATED_BYTES_OPTION = "sidecar.rules.max-inflated-bytes";
    static final String MAX_ENTRY_RATIO_OPTION = "sidecar.rules.max-entry-ratio";

    /**
     * Refuses a jar of {@code size} bytes over {@link #maxJarBytes}.
     *
     * @throws RuleLoadException naming the jar, its size, the limit and the option
     */
    public void checkJarSize(String fileName, long size) throws RuleLoadException {
        if (size > maxJarBytes) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + " is too large: "
                            + size
                            + " bytes, over the limit of "
                            + maxJarBytes
                            + " bytes ("
                            + MAX_JAR_BYTES_OPTION
                            + ")");
        }
    }
}
