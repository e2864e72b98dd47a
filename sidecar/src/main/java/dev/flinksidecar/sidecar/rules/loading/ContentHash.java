package dev.flinksidecar.sidecar.rules.loading;

import java.util.HexFormat;

/**
 * The short content hash that every rule version carries, so that two different builds that claim
 * the same version are told apart in every result:
 *
 * <pre>
 *   hash    = first 7 hex digits of SHA-256(jar bytes, then config bytes)   (no config: no bytes)
 *   version = "1.2.0" + "+" + hash        e.g. 1.2.0+3f2a9c1
 *             "1.2.0+build7" + "." + hash  (a version with build metadata already: semver allows one "+")
 * </pre>
 */
public final class ContentHash {

    /** Hex digits kept: as git's short hashes, ample to tell a rule's versions apart. */
    public static final int LENGTH = 7;

    private ContentHash() {}

    /** The short hash of a jar and its config ({@code config} may be null: none). */
    public static String of(byte[] jar, byte[] config) {
        return digest(jar, config).hash();
    }

    /**
     * The short hash of a jar and its config, and the full SHA-256 of the jar alone (what the
     * {@code ArtifactStore} names its copy by), from one pass over the jar's bytes: before the JIT
     * compiles it, SHA-256 runs interpreted, a large part of a cold start ({@link Sha256}).
     */
    public static Digest digest(byte[] jar, byte[] config) {
        Sha256 sha = new Sha256();
        sha.update(jar);
        Sha256 withConfig = sha.copy();
        if (config != null) {
            withConfig.update(config);
        }
        HexFormat hex = HexFormat.of();
        return new Digest(
                hex.formatHex(sha.digest()),
                hex.formatHex(withConfig.digest()).substring(0, LENGTH));
    }

    /**
     * The digests of one jar.
     *
     * @param jarSha256 the SHA-256 of the jar's bytes, in hex
     * @param hash the short content hash of the jar and its config (see the class comment)
     */
    public record Digest(String jarSha256, String hash) {}

    /** {@code base} with {@code hash} appended as the class comment shows. */
    public static String version(String base, String hash) {
        return base.concat(base.indexOf('+') >= 0 ? "." : "+").concat(hash);
    }
}
