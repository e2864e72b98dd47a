package dev.flinksidecar.k8s;

import java.util.List;
import java.util.Map;

/**
 * Typed access to parsed YAML (maps, lists, scalars) with errors that say where a field was
 * missing.
 */
final class Tree {

    private Tree() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object node, String what) {
        if (!(node instanceof Map)) {
            throw new AssertionError(what + " is not a mapping: " + node);
        }
        return (Map<String, Object>) node;
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Object node, String what) {
        if (!(node instanceof List)) {
            throw new AssertionError(what + " is not a list: " + node);
        }
        return (List<Object>) node;
    }

    /**
     * The node at {@code path} (keys) under {@code root}, or null when a key on the way is missing.
     */
    static Object at(Map<String, Object> root, String... path) {
        Object node = root;
        for (String key : path) {
            if (!(node instanceof Map)) {
                return null;
            }
            node = ((Map<?, ?>) node).get(key);
        }
        return node;
    }

    /** As {@link #at}, failing when it is missing. */
    static Object required(Map<String, Object> root, String what, String... path) {
        Object node = at(root, path);
        if (node == null) {
            throw new AssertionError(what + ": " + String.join(".", path) + " is missing");
        }
        return node;
    }

    /** The element of a list of mappings whose {@code name} is {@code name}, or null. */
    static Map<String, Object> named(Object listNode, String name, String what) {
        if (listNode == null) {
            return null;
        }
        for (Object element : list(listNode, what)) {
            if (name.equals(map(element, what).get("name"))) {
                return map(element, what);
            }
        }
        return null;
    }
}
