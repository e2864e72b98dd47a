package dev.flinksidecar.sidecar.rules.loading;

import dev.flinksidecar.events.json.Json;
import dev.flinksidecar.events.json.JsonException;
import dev.flinksidecar.rule.RuleApi;
import dev.flinksidecar.rule.RuleConfig;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

/**
 * A rule jar and its config as deployed, before anything of it is loaded: the identity its results
 * will carry (id, version, content hash) and where its bytes are.
 *
 * <p>Identity: id = config {@code "id"}, else the jar's base name; version = config {@code
 * "version"}, else the manifest's {@code Implementation-Version}, else {@code unversioned}; then
 * the {@link ContentHash} of the jar's and the config's bytes.
 *
 * <p>Immutable; holds the parsed config, not the jar's bytes (they stay in {@link #jarFile()}).
 */
public final class RuleArtifact {

    static final String UNVERSIONED = "unversioned";

    /** The config field that lists the {@link Capability capabilities} a rule is allowed. */
    public static final String ALLOW = "allow";

    private final String fileName;
    private final Path jarFile;
    private final Map<String, Object> configValues;
    private final String id;
    private final String baseVersion;
    private final String hash;
    private final String apiVersion;
    private final String source;
    private final Set<Capability> allowed;

    private RuleArtifact(
            String fileName,
            Path jarFile,
            Map<String, Object> configValues,
            String id,
            String baseVersion,
            String hash,
            String apiVersion,
            String source,
            Set<Capability> allowed) {
        this.fileName = fileName;
        this.jarFile = jarFile;
        this.configValues = configValues;
        this.id = id;
        this.baseVersion = baseVersion;
        this.hash = hash;
        this.apiVersion = apiVersion;
        this.source = source;
        this.allowed = allowed;
    }

    /**
     * The jar at {@code jar} with the config {@code NAME.json} beside it, if there is one.
     *
     * @throws RuleLoadException naming the jar when it or its config cannot be read
     */
    public static RuleArtifact read(Path jar, String source) throws RuleLoadException {
        String fileName = jar.getFileName().toString();
        Path configFile = jar.resolveSibling(baseName(fileName) + ".json");
        try {
            JarLimits.DEFAULTS.checkJarSize(fileName, Files.size(jar));
            byte[] config =
                    Files.isRegularFile(configFile) ? readConfig(fileName, configFile) : null;
            return of(
                    fileName, jar, ContentHash.of(Files.readAllBytes(jar), config), config, source);
        } catch (IOException e) {
            throw new RuleLoadException("rule jar " + fileName + " cannot be read: " + e, e);
        }
    }

    /**
     * An artifact stored at {@code jarFile} (the file the classloader will read).
     *
     * @param fileName the jar's name as deployed, e.g. {@code fraud.jar}
     * @param hash the {@link ContentHash} of the jar's bytes and {@code config}
     * @param config the config's bytes, or null for none
     * @param source where it came from, for status, e.g. {@code rules-dir fraud.jar}
     * @throws RuleLoadException when the config is not a JSON object with string {@code id} and
     *     {@code version} (if present) and known capabilities in {@code allow} (if present), or the
     *     jar has no readable manifest directory
     */
    public static RuleArtifact of(
            String fileName, Path jarFile, String hash, byte[] config, String source)
            throws RuleLoadException {
        String baseName = baseName(fileName);
        Map<String, Object> values = parseConfig(fileName, baseName, config);
        String id = stringField(fileName, baseName, values, "id", baseName);
        Set<Capability> allowed = allowed(fileName, baseName, values);
        Manifest manifest = manifest(fileName, jarFile);
        String manifestVersion =
                attribute(manifest, Attributes.Name.IMPLEMENTATION_VERSION.toString());
        String version =
                stringField(
                        fileName,
                        baseName,
                        values,
                        "version",
                        manifestVersion == null ? UNVERSIONED : manifestVersion);
        return new RuleArtifact(
                fileName,
                jarFile,
                values,
                id,
                version,
                hash,
                attribute(manifest, RuleApi.MANIFEST_ATTRIBUTE),
                source,
                allowed);
    }

    /** The jar's file name as deployed, e.g. {@code fraud.jar}. */
    public String fileName() {
        return fileName;
    }

    /** The file the jar's classes load from. */
    public Path jarFile() {
        return jarFile;
    }

    /** The parsed config (empty when there is none). */
    public RuleConfig config() {
        return RuleConfig.of(configValues);
    }

    /**
     * The capabilities the config's {@code "allow"} grants (empty without one): the JDK calls the
     * jar may make that are refused by default ({@link Capability}).
     */
    public Set<Capability> allowed() {
        return allowed;
    }

    /** The rule id results carry. */
    public String id() {
        return id;
    }

    /** The content hash, e.g. {@code 3f2a9c1}. */
    public String hash() {
        return hash;
    }

    /** The version results carry, e.g. {@code 1.2.0+3f2a9c1}. */
    public String version() {
        return ContentHash.version(baseVersion, hash);
    }

    /** The manifest's {@code Rule-Api-Version}, or null when the jar does not say. */
    String apiVersion() {
        return apiVersion;
    }

    /** Where it came from, e.g. {@code rules-dir fraud.jar} or {@code admin fraud.jar}. */
    public String source() {
        return source;
    }

    /** The same artifact from another source (a rollback re-deploys what was deployed before). */
    public RuleArtifact withSource(String newSource) {
        return new RuleArtifact(
                fileName,
                jarFile,
                configValues,
                id,
                baseVersion,
                hash,
                apiVersion,
                newSource,
                allowed);
    }

    static String baseName(String fileName) {
        return fileName.endsWith(".jar") ? fileName.substring(0, fileName.length() - 4) : fileName;
    }

    private static Map<String, Object> parseConfig(String fileName, String baseName, byte[] config)
            throws RuleLoadException {
        if (config == null) {
            return Map.of();
        }
        if (config.length > JarLimits.MAX_TEXT_BYTES) {
            throw new RuleLoadException(
                    configFile(fileName, baseName)
                            + " is too large: "
                            + config.length
                            + " bytes, over the limit of "
                            + JarLimits.MAX_TEXT_BYTES
                            + " bytes for a rule config");
        }
        try {
            Object parsed = Json.parse(new String(config, StandardCharsets.UTF_8));
            if (!(parsed instanceof Map)) {
                throw new RuleLoadException(
                        configFile(fileName, baseName) + " is not a JSON object");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> map = (Map<String, Object>) parsed;
            return map;
        } catch (JsonException e) {
            String reason = e.getMessage();
            throw new RuleLoadException(
                    configFile(fileName, baseName)
                            + (reason.startsWith("not valid JSON")
                                    ? " is " + reason
                                    : " is not valid JSON: " + reason),
                    e);
        }
    }

    private static String configFile(String fileName, String baseName) {
        return "rule jar " + fileName + ": config " + baseName + ".json";
    }

    private static String stringField(
            String fileName,
            String baseName,
            Map<String, Object> config,
            String field,
            String orElse)
            throws RuleLoadException {
        if (!config.containsKey(field)) {
            return orElse;
        }
        Object value = config.get(field);
        if (!(value instanceof String) || ((String) value).isBlank()) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + ": config "
                            + baseName
                            + ".json field '"
                            + field
                            + "' must be a non-empty string, not "
                            + value);
        }
        return (String) value;
    }

    /**
     * The jar's manifest, read through a bounded stream: {@code JarFile.getManifest} would read an
     * entry of any size whole.
     */
    private static Manifest manifest(String fileName, Path jar) throws RuleLoadException {
        try (JarFile file = new JarFile(jar.toFile(), false)) {
            JarEntry entry = file.getJarEntry(JarFile.MANIFEST_NAME);
            if (entry == null) {
                return null;
            }
            byte[] bytes;
            try (InputStream in = file.getInputStream(entry)) {
                bytes = in.readNBytes(JarLimits.MAX_TEXT_BYTES + 1);
            }
            if (bytes.length > JarLimits.MAX_TEXT_BYTES) {
                throw new RuleLoadException(
                        "rule jar "
                                + fileName
                                + " refused: its manifest "
                                + JarFile.MANIFEST_NAME
                                + " is over "
                                + JarLimits.MAX_TEXT_BYTES
                                + " bytes");
            }
            return new Manifest(new ByteArrayInputStream(bytes));
        } catch (IOException | RuntimeException e) {
            throw new RuleLoadException("rule jar " + fileName + " is not a readable jar: " + e, e);
        }
    }

    /**
     * Reads the config file of the jar {@code fileName}, refusing one over {@link
     * JarLimits#MAX_TEXT_BYTES} before reading it (it is read whole).
     */
    public static byte[] readConfig(String fileName, Path configFile)
            throws IOException, RuleLoadException {
        if (Files.size(configFile) > JarLimits.MAX_TEXT_BYTES) {
            throw new RuleLoadException(
                    "rule jar "
                            + fileName
                            + ": config "
                            + configFile.getFileName()
                            + " is too large: "
                            + Files.size(configFile)
                            + " bytes, over the limit of "
                            + JarLimits.MAX_TEXT_BYTES
                            + " bytes for a rule config");
        }
        return Files.readAllBytes(configFile);
    }

    /** The config's {@code "allow"}: a list of {@link Capability} names. */
    private static Set<Capability> allowed(
            String fileName, String baseName, Map<String, Object> config) throws RuleLoadException {
        if (!config.containsKey(ALLOW)) {
            return Set.of();
        }
        String field = configFile(fileName, baseName) + " field '" + ALLOW + "'";
        if (!(config.get(ALLOW) instanceof List<?> names)) {
            throw new RuleLoadException(
                    field
                            + " must be a list of capability names, e.g. [\"threads\"], not "
                            + config.get(ALLOW));
        }
        Set<Capability> allowed = EnumSet.noneOf(Capability.class);
        for (Object name : names) {
            Capability capability = name instanceof String ? Capability.named((String) name) : null;
            if (capability == null) {
                throw new RuleLoadException(
                        field
                                + " names an unknown capability "
                                + (name instanceof String ? "'" + name + "'" : String.valueOf(name))
                                + "; known: "
                                + Capability.allowableNames());
            }
            if (!capability.allowable()) {
                throw new RuleLoadException(
                        field
                                + " names '"
                                + name
                                + "', which no rule may have (a rule that ends the process ends every "
                                + "other rule and session)");
            }
            allowed.add(capability);
        }
        return Collections.unmodifiableSet(allowed);
    }

    private static String attribute(Manifest manifest, String name) {
        String value = manifest == null ? null : manifest.getMainAttributes().getValue(name);
        return value == null || value.isBlank() ? null : value.trim();
    }

    @Override
    public String toString() {
        return id + "@" + version() + " (" + source + ")";
    }
}
