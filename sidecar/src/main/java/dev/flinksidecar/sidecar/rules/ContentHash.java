package dev.flinksidecar.sidecar.rules;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The short content hash that every rule version carries, so that two different builds that
 * claim the same version are told apart in every result:
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
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(jar);
            if (config != null) {
                sha.update(config);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, LENGTH);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** {@code base} with {@code hash} appended as the class comment shows. */
    public static String version(String base, String hash) {
        return base + (base.indexOf('+') >= 0 ? "." : "+") + hash;
    }
}
