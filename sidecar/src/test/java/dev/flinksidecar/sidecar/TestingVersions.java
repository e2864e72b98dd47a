package dev.flinksidecar.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Rule versions in tests. Results carry {@code VERSION+HASH} (the first 7 hex digits of the SHA-256
 * of the jar's bytes, then its config's); expected lines, like those of {@code testdata/}, say just
 * {@code VERSION}. {@link #normalised} checks each hash against the jar it names, computed here
 * independently of the sidecar's code, and strips it.
 */
public final class TestingVersions {

    private static final Pattern VERSION =
            Pattern.compile("\"version\":\"([^\"]*?)\\+([0-9a-f]{7})\"");
    private static final Pattern RULE = Pattern.compile("\"rule\":\"([^\"]*)\"");

    private TestingVersions() {}

    /** The hash of {@code jar} and the {@code NAME.json} beside it (if any). */
    public static String hash(Path jar) {
        String base = jar.getFileName().toString().replaceAll("\\.jar$", "");
        Path config = jar.resolveSibling(base + ".json");
        try {
            return hash(
                    Files.readAllBytes(jar),
                    Files.exists(config) ? Files.readAllBytes(config) : null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The hash of a jar's bytes and a config's bytes ({@code config} null: none). */
    public static String hash(byte[] jar, byte[] config) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(jar);
            if (config != null) {
                sha.update(config);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 7);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The version that results of {@code jar} carry when its own version is {@code base}. */
    public static String version(String base, Path jar) {
        return base + "+" + hash(jar);
    }

    /**
     * The lines with the hash stripped from every {@code "version"}, after checking that each one
     * is the hash of {@code rulesDir/RULE.jar} (the rule id being the jar's base name).
     */
    public static List<String> normalised(List<String> lines, Path rulesDir) {
        return lines.stream().map(line -> normalised(line, rulesDir)).collect(Collectors.toList());
    }

    /** One line of {@link #normalised(List, Path)}. */
    public static String normalised(String line, Path rulesDir) {
        Matcher version = VERSION.matcher(line);
        assertThat(version.find()).as("a version with a content hash in %s", line).isTrue();
        Matcher rule = RULE.matcher(line);
        assertThat(rule.find()).as("a rule id in %s", line).isTrue();
        assertThat(version.group(2))
                .as("the content hash of %s.jar in %s", rule.group(1), line)
                .isEqualTo(hash(rulesDir.resolve(rule.group(1) + ".jar")));
        return version.replaceFirst("\"version\":\"$1\"");
    }

    /**
     * {@code id@VERSION+HASH} with the hash checked against {@code rulesDir/id.jar} and stripped.
     */
    public static String normalisedRef(String idAtVersion, Path rulesDir) {
        String id = idAtVersion.substring(0, idAtVersion.indexOf('@'));
        String expected = "+" + hash(rulesDir.resolve(id + ".jar"));
        assertThat(idAtVersion).as("rule version of %s", id).endsWith(expected);
        return idAtVersion.substring(0, idAtVersion.length() - expected.length());
    }
}
