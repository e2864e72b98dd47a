package dev.flinksidecar.sidecar.rules.loading;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * JVM descriptors as a person reads them: {@code Result.set(String, double)} rather than {@code
 * (Ljava/lang/String;D)...}.
 */
final class Descriptors {

    private Descriptors() {}

    static String describe(ClassReferences.Member member) {
        String owner = member.owner.replace('/', '.');
        if (!member.method) {
            return owner + "." + member.name + " of type " + types(member.descriptor).get(0);
        }
        int close = member.descriptor.indexOf(')');
        List<String> params = types(member.descriptor.substring(1, close));
        String returns = types(member.descriptor.substring(close + 1)).get(0);
        String name =
                member.name.equals("<init>") ? "new " + simple(owner) : owner + "." + member.name;
        return name
                + "("
                + String.join(", ", params)
                + ")"
                + (member.name.equals("<init>") ? "" : " returning " + returns);
    }

    static String describe(Method method) {
        return method.getDeclaringClass().getName()
                + "."
                + method.getName()
                + "("
                + List.of(method.getParameterTypes()).stream()
                        .map(Class::getSimpleName)
                        .collect(Collectors.joining(", "))
                + ")";
    }

    /**
     * The types of a run of field descriptors, e.g. {@code [ILjava/lang/String;D} -> int[], String,
     * double.
     */
    private static List<String> types(String descriptors) {
        List<String> types = new ArrayList<>();
        int i = 0;
        while (i < descriptors.length()) {
            int dims = 0;
            while (descriptors.charAt(i) == '[') {
                dims++;
                i++;
            }
            String type;
            char c = descriptors.charAt(i);
            if (c == 'L') {
                int end = descriptors.indexOf(';', i);
                type = simple(descriptors.substring(i + 1, end).replace('/', '.'));
                i = end + 1;
            } else {
                type = primitive(c);
                i++;
            }
            types.add(type + "[]".repeat(dims));
        }
        return types;
    }

    private static String simple(String name) {
        return name.startsWith("java.lang.") ? name.substring("java.lang.".length()) : name;
    }

    private static String primitive(char c) {
        switch (c) {
            case 'Z':
                return "boolean";
            case 'B':
                return "byte";
            case 'C':
                return "char";
            case 'S':
                return "short";
            case 'I':
                return "int";
            case 'J':
                return "long";
            case 'F':
                return "float";
            case 'D':
                return "double";
            case 'V':
                return "void";
            default:
                return String.valueOf(c);
        }
    }
}
