package dev.flinksidecar.k8s;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A ConfigMap volume as the kubelet writes it: the files in a hidden timestamped folder, a {@code
 * ..data} link to it and one link per key ({@code NAME -> ..data/NAME}); an update writes a new
 * folder and swaps {@code ..data} with one rename, so a reader sees the old files or the new ones,
 * never a mix. The sidecar's rules-directory watcher must cope with exactly this.
 */
final class ConfigMapVolume {

    private ConfigMapVolume() {}

    /** The ConfigMap's files: {@code data} as UTF-8, {@code binaryData} decoded. */
    static Map<String, byte[]> files(Map<String, Object> configMap) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        Object data = configMap.get("data");
        if (data != null) {
            Tree.map(data, "data")
                    .forEach(
                            (key, value) ->
                                    files.put(
                                            key,
                                            String.valueOf(value)
                                                    .getBytes(StandardCharsets.UTF_8)));
        }
        Object binary = configMap.get("binaryData");
        if (binary != null) {
            Tree.map(binary, "binaryData")
                    .forEach(
                            (key, value) ->
                                    files.put(
                                            key,
                                            Base64.getMimeDecoder().decode(String.valueOf(value))));
        }
        return files;
    }

    /** Writes (or atomically replaces) the volume's content in {@code dir}. */
    static void write(Path dir, Map<String, byte[]> files, int generation) throws IOException {
        Files.createDirectories(dir);
        Path data = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        String version = "..2026_11_26_00_00_00." + generation;
        Path folder = Files.createDirectory(dir.resolve(version));
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            Files.write(folder.resolve(file.getKey()), file.getValue());
        }
        Path link = Files.createSymbolicLink(dir.resolve("..data_tmp"), Path.of(version));
        Files.move(link, data, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String key : files.keySet()) {
            Path keyLink = dir.resolve(key);
            if (!Files.isSymbolicLink(keyLink)) {
                Files.createSymbolicLink(keyLink, Path.of("..data", key));
            }
        }
        if (old != null) {
            TempFiles.deleteQuietly(old);
        }
    }
}
