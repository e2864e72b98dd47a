package dev.flinksidecar.sidecar.rules.loading;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a compiled class refers to in one package, read from its constant pool (JVMS 4.4) without
 * loading it: the classes it names, and the fields and methods it uses. This is what the JVM will
 * link lazily, on the first call; reading it up front lets the sidecar refuse a jar compiled
 * against another rule API before any event reaches it.
 */
final class ClassReferences {

    /** A field or method of the package that the class uses. */
    static final class Member {
        final boolean method;
        final String owner;
        final String name;
        final String descriptor;

        Member(boolean method, String owner, String name, String descriptor) {
            this.method = method;
            this.owner = owner;
            this.name = name;
            this.descriptor = descriptor;
        }

        @Override
        public boolean equals(Object o) {
            if (!(o instanceof Member)) {
                return false;
            }
            Member m = (Member) o;
            return method == m.method
                    && owner.equals(m.owner)
                    && name.equals(m.name)
                    && descriptor.equals(m.descriptor);
        }

        @Override
        public int hashCode() {
            return (owner.hashCode() * 31 + name.hashCode()) * 31 + descriptor.hashCode();
        }
    }

    /**
     * Internal names of classes (slash-separated) of the package, e.g. {@code
     * dev/flinksidecar/rule/Rule}.
     */
    final Set<String> classes = new LinkedHashSet<>();

    final Set<Member> members = new LinkedHashSet<>();

    private final String packagePrefix;

    /** How a descriptor or signature names a class of the package: {@code L} and the prefix. */
    private final String inDescriptorStart;

    private final Pattern inDescriptor;

    /**
     * @param packagePrefix internal-name prefix, e.g. {@code dev/flinksidecar/rule/}
     */
    ClassReferences(String packagePrefix) {
        this.packagePrefix = packagePrefix;
        this.inDescriptorStart = "L".concat(packagePrefix);
        // in descriptors "Ldev/x/Y;", in generic signatures also "Ldev/x/Y<...>;"
        this.inDescriptor =
                Pattern.compile("L(".concat(Pattern.quote(packagePrefix)).concat("[\\w$/]+)[;<]"));
    }

    /** Adds the references of one class, read by {@link ConstantPool}. */
    void add(ConstantPool pool) {
        for (String text : pool.utf8()) {
            if (text.contains(inDescriptorStart)) {
                Matcher m = inDescriptor.matcher(text);
                while (m.find()) {
                    classes.add(m.group(1));
                }
            }
        }
        for (String name : pool.classes()) {
            if (name.startsWith(packagePrefix)) {
                classes.add(name);
            }
        }
        for (ConstantPool.MemberRef ref : pool.members()) {
            if (ref.owner().startsWith(packagePrefix)) {
                members.add(new Member(ref.method(), ref.owner(), ref.name(), ref.descriptor()));
            }
        }
    }
}
