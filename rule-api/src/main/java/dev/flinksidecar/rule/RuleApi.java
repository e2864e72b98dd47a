package dev.flinksidecar.rule;

/**
 * The version of this rule API, so that a sidecar can refuse a rule jar built for another one with
 * a clear message instead of a {@link LinkageError} on the first event.
 *
 * <p>A rule jar may say which API it was compiled against with the manifest attribute {@value
 * #MANIFEST_ATTRIBUTE}, e.g. {@code Rule-Api-Version: 1.1} (with Maven: {@code
 * <manifestEntries><Rule-Api-Version>1.1</Rule-Api-Version></manifestEntries>}). The sidecar
 * refuses a jar whose major version differs from its own {@link #MAJOR}. Whether or not the
 * attribute is there, it also checks that every class, method and field of this package that the
 * jar's classes refer to exists, so a jar compiled against an API that has something this one lacks
 * is refused before it runs. Minor versions only add: a rule built for 1.0 runs on 1.1.
 */
public final class RuleApi {

    /** Incompatible changes raise it; a sidecar runs only rule jars of its own major version. */
    public static final int MAJOR = 1;

    /** Additions raise it. 1.1 added {@link WindowedRule#stateLayout()} and this class. */
    public static final int MINOR = 1;

    /** {@code MAJOR.MINOR}, as the manifest attribute writes it. */
    public static final String VERSION = MAJOR + "." + MINOR;

    /** The jar manifest attribute that names the rule API version a jar was built for. */
    public static final String MANIFEST_ATTRIBUTE = "Rule-Api-Version";

    private RuleApi() {}
}
