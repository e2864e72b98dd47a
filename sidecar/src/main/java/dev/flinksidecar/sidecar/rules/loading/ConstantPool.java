package dev.flinksidecar.sidecar.rules.loading;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The references of one compiled class, read from the start of its class file (JVMS 4.1, 4.4)
 * without loading it: its own name, the classes its constant pool names and the fields and methods
 * it uses ({@code CONSTANT_Fieldref}, {@code Methodref}, {@code InterfaceMethodref}). A method
 * handle or a lambda's target ({@code System::exit}) is a {@code Methodref} entry too.
 *
 * <p>Reads only up to the class's own name, right after the constant pool; the caller drains the
 * rest. Holds the pool's strings, never the class's code.
 */
final class ConstantPool {

    /** A field or method that the class uses, as its constant pool names it. */
    record MemberRef(boolean method, String owner, String name, String descriptor) {}

    private static final int UTF8 = 1;
    private static final int CLASS = 7;
    private static final int FIELD_REF = 9;
    private static final int METHOD_REF = 10;
    private static final int INTERFACE_METHOD_REF = 11;
    private static final int NAME_AND_TYPE = 12;

    private final String thisClass;
    private final List<String> utf8;
    private final List<String> classes;
    private final List<MemberRef> members;

    private ConstantPool(
            String thisClass, List<String> utf8, List<String> classes, List<MemberRef> members) {
        this.thisClass = thisClass;
        this.utf8 = utf8;
        this.classes = classes;
        this.members = members;
    }

    /**
     * Reads a class file's header, constant pool and own name from {@code classFile}.
     *
     * @throws IOException when the bytes are not a class file
     */
    static ConstantPool read(InputStream classFile) throws IOException {
        DataInputStream in = new DataInputStream(classFile);
        if (in.readInt() != 0xCAFEBABE) {
            throw new IOException("not a class file (bad magic number)");
        }
        in.readUnsignedShort(); // minor
        in.readUnsignedShort(); // major
        int count = in.readUnsignedShort();
        int[] tags = new int[count];
        int[] first = new int[count];
        int[] second = new int[count];
        String[] texts = new String[count];
        for (int i = 1; i < count; i++) {
            int tag = in.readUnsignedByte();
            tags[i] = tag;
            switch (tag) {
                case UTF8:
                    texts[i] = in.readUTF();
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
                case 18: // Dynamic, InvokeDynamic
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
        in.readUnsignedShort(); // access flags
        int thisIndex = in.readUnsignedShort();
        List<String> utf8 = new ArrayList<>();
        List<String> classes = new ArrayList<>();
        List<MemberRef> members = new ArrayList<>();
        for (int i = 1; i < count; i++) {
            if (tags[i] == UTF8) {
                utf8.add(texts[i]);
            } else if (tags[i] == CLASS) {
                classes.add(text(texts, tags, first[i]));
            } else if (tags[i] == FIELD_REF
                    || tags[i] == METHOD_REF
                    || tags[i] == INTERFACE_METHOD_REF) {
                int nameAndType = entry(tags, second[i], NAME_AND_TYPE);
                members.add(
                        new MemberRef(
                                tags[i] != FIELD_REF,
                                text(texts, tags, first[entry(tags, first[i], CLASS)]),
                                text(texts, tags, first[nameAndType]),
                                text(texts, tags, second[nameAndType])));
            }
        }
        String name = text(texts, tags, first[entry(tags, thisIndex, CLASS)]);
        return new ConstantPool(name, utf8, classes, members);
    }

    private static int entry(int[] tags, int index, int tag) throws IOException {
        if (index <= 0 || index >= tags.length || tags[index] != tag) {
            throw new IOException("constant pool entry " + index + " is not of tag " + tag);
        }
        return index;
    }

    private static String text(String[] texts, int[] tags, int index) throws IOException {
        return texts[entry(tags, index, UTF8)];
    }

    /** The class's internal name, e.g. {@code com/acme/Fraud}. */
    String thisClass() {
        return thisClass;
    }

    /** Every text of the pool: names, descriptors, generic signatures, string literals. */
    List<String> utf8() {
        return utf8;
    }

    /** Internal names (or array descriptors) of the classes the pool names. */
    List<String> classes() {
        return classes;
    }

    /** The fields and methods the class uses. */
    List<MemberRef> members() {
        return members;
    }
}
