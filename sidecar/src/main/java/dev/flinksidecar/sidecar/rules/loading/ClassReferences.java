package dev.flinksidecar.sidecar.rules.loading;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
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

    private static final int UTF8 = 1;
    private static final int CLASS = 7;
    private static final int FIELD_REF = 9;
    private static final int METHOD_REF = 10;
    private static final int INTERFACE_METHOD_REF = 11;
    private static final int NAME_AND_TYPE = 12;

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

    /**
     * Adds the references of one class file.
     *
     * @throws IOException when the bytes are not a class file
     */
    void add(byte[] classFile) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(classFile));
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file (bad magic number)");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        int[] tags = new int[count];
        int[] first = new int[count];
        int[] second = new int[count];
        String[] utf8 = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            tags[i] = tag;
            switch (tag) {
                case UTF8:
                    utf8[i] = in.readUTF();
                    break;
                case CLASS:
                case 8:
                case 16:
                case 19:
                case 20: // Class, String, MethodType, Module, Package
                    first[i] = in.readUnsignedShort();
                    break;
                case FIELD_REF:
                case METHOD_REF:
                case INTERFACE_METHOD_REF:
                case NAME_AND_TYPE:
                case 17:
                case 18:
                    first[i] = in.readUnsignedShort();
                    second[i] = in.readUnsignedShort();
                    break;
                case 3:
                case 4: // Integer, Float
                    in.readInt();
                    break;
                case 5:
                case 6: // Long, Double: two slots
                    in.readLong();
                    i++;
                    break;
                case 15: // MethodHandle
                    in.readUnsignedByte();
                    in.readUnsignedShort();
                    break;
                default:
                    throw new IOException("unknown constant pool tag " + tag + " at entry " + i);
            }
        }
        for (int i = 1; i < count; i++) {
            if (tags[i] == UTF8 && utf8[i].contains(inDescriptorStart)) {
                Matcher m = inDescriptor.matcher(utf8[i]);
                while (m.find()) {
                    classes.add(m.group(1));
                }
            } else if (tags[i] == CLASS) {
                String name = utf8[first[i]];
                if (name.startsWith(packagePrefix)) {
                    classes.add(name);
                }
            } else if (tags[i] == FIELD_REF
                    || tags[i] == METHOD_REF
                    || tags[i] == INTERFACE_METHOD_REF) {
                String owner = utf8[first[first[i]]];
                if (owner.startsWith(packagePrefix)) {
                    int nameAndType = second[i];
                    members.add(
                            new Member(
                                    tags[i] != FIELD_REF,
                                    owner,
                                    utf8[first[nameAndType]],
                                    utf8[second[nameAndType]]));
                }
            }
        }
    }
}
