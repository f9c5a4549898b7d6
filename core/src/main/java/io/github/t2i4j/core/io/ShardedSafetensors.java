package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint split into several safetensors files by an index ({@code
 * *.safetensors.index.json}, as diffusers and transformers write it): {@code {"metadata": {...},
 * "weight_map": {"name": "shard-00001-of-00002.safetensors", ...}}}.
 *
 * <p>Each shard is opened once, when the index is opened (only its header is read; tensors are
 * read when loaded), so that the index can be validated before anything is loaded: every name in
 * the weight map must be in its shard and every tensor in a shard must be listed for that shard.
 * Closing this closes every shard.
 */
public final class ShardedSafetensors implements TensorSource {

    private final Path index;
    private final Map<String, String> metadata;
    private final Map<String, SafetensorsFile> byName;
    private final List<SafetensorsFile> shards;

    private ShardedSafetensors(
            Path index,
            Map<String, String> metadata,
            Map<String, SafetensorsFile> byName,
            List<SafetensorsFile> shards) {
        this.index = index;
        this.metadata = metadata;
        this.byName = byName;
        this.shards = shards;
    }

    /** Opens an index file and every shard it names, and validates them against each other. */
    public static ShardedSafetensors open(Path index) {
        JsonObject root;
        try (Reader r = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
            JsonElement el = JsonParser.parseReader(r);
            if (!el.isJsonObject()) {
                throw bad(index, "it is not a JSON object");
            }
            root = el.getAsJsonObject();
        } catch (IOException e) {
            throw new CheckpointException("cannot read checkpoint index " + index + ": " + e, e);
        } catch (JsonParseException e) {
            throw bad(index, "it is not valid JSON: " + e.getMessage());
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        JsonElement meta = root.get("metadata");
        if (meta != null && !meta.isJsonNull()) {
            if (!meta.isJsonObject()) {
                throw bad(index, "\"metadata\" is not an object");
            }
            // values such as total_size are numbers: keep them as their JSON text
            for (Map.Entry<String, JsonElement> e : meta.getAsJsonObject().entrySet()) {
                JsonElement v = e.getValue();
                metadata.put(
                        e.getKey(),
                        v.isJsonPrimitive() && v.getAsJsonPrimitive().isString()
                                ? v.getAsString()
                                : v.toString());
            }
        }
        JsonElement map = root.get("weight_map");
        if (map == null || !map.isJsonObject()) {
            throw bad(index, "it has no \"weight_map\" object");
        }
        Map<String, String> weightMap = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> e : map.getAsJsonObject().entrySet()) {
            JsonElement v = e.getValue();
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw bad(index, "weight_map entry '" + e.getKey() + "' is not a file name");
            }
            weightMap.put(e.getKey(), v.getAsString());
        }
        if (weightMap.isEmpty()) {
            throw bad(index, "its weight_map is empty");
        }
        Path dir = index.toAbsolutePath().normalize().getParent();
        Map<String, SafetensorsFile> files = new LinkedHashMap<>();
        try {
            for (String shard : weightMap.values()) {
                if (!files.containsKey(shard)) {
                    files.put(shard, SafetensorsFile.open(shardPath(index, dir, shard)));
                }
            }
            Map<String, SafetensorsFile> byName = new LinkedHashMap<>();
            List<String> problems = new ArrayList<>();
            weightMap.forEach(
                    (name, shard) -> {
                        SafetensorsFile f = files.get(shard);
                        if (f.names().contains(name)) {
                            byName.put(name, f);
                        } else {
                            problems.add("'" + name + "' is listed for " + shard + " but is not in it");
                        }
                    });
            files.forEach(
                    (shard, f) -> {
                        for (String name : f.names()) {
                            String listed = weightMap.get(name);
                            if (listed == null) {
                                problems.add(shard + " holds '" + name + "', which the weight_map does not list");
                            } else if (!listed.equals(shard)) {
                                problems.add(
                                        shard + " holds '" + name + "', which the weight_map lists for "
                                                + listed);
                            }
                        }
                    });
            if (!problems.isEmpty()) {
                StringBuilder sb =
                        new StringBuilder("sharded checkpoint ")
                                .append(index)
                                .append(" does not match its shards (")
                                .append(problems.size())
                                .append(problems.size() == 1 ? " problem):" : " problems):");
                for (int i = 0; i < problems.size(); i++) {
                    if (i == 20) {
                        sb.append("\n  ... and ").append(problems.size() - 20).append(" more");
                        break;
                    }
                    sb.append("\n  ").append(problems.get(i));
                }
                throw new CheckpointException(sb.toString());
            }
            return new ShardedSafetensors(
                    index,
                    Collections.unmodifiableMap(metadata),
                    Collections.unmodifiableMap(byName),
                    List.copyOf(files.values()));
        } catch (RuntimeException e) {
            files.values().forEach(SafetensorsFile::close);
            throw e;
        }
    }

    /** A shard must be a file in the index's own folder. */
    private static Path shardPath(Path index, Path dir, String shard) {
        Path p;
        try {
            p = dir.resolve(shard).normalize();
        } catch (RuntimeException e) {
            throw bad(index, "shard name '" + shard + "' is not a valid file name");
        }
        if (shard.isEmpty() || !dir.equals(p.getParent())) {
            throw bad(index, "shard '" + shard + "' is not a file in the index's folder " + dir);
        }
        if (!Files.isRegularFile(p)) {
            throw bad(index, "shard " + shard + " does not exist in " + dir);
        }
        return p;
    }

    private static CheckpointException bad(Path index, String what) {
        return new CheckpointException("invalid checkpoint index " + index + ": " + what);
    }

    public Path path() {
        return index;
    }

    /** The index's {@code metadata} (non-string values as their JSON text). */
    public Map<String, String> metadata() {
        return metadata;
    }

    /** The shard files, in the order the weight map first names them. */
    public List<Path> shards() {
        List<Path> out = new ArrayList<>();
        shards.forEach(s -> out.add(s.path()));
        return out;
    }

    /** Every tensor name, in weight-map order. */
    @Override
    public Set<String> names() {
        return byName.keySet();
    }

    private SafetensorsFile shard(String name) {
        SafetensorsFile f = byName.get(name);
        if (f == null) {
            throw new CheckpointException("no tensor '" + name + "' in " + index);
        }
        return f;
    }

    /** The header entry; its offsets are relative to its shard's data section. */
    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public NDArray load(String name, NDManager manager) {
        return shard(name).load(name, manager);
    }

    @Override
    public NDArray load(String name, NDManager manager, DataType type) {
        return shard(name).load(name, manager, type);
    }

    @Override
    public void close() {
        shards.forEach(SafetensorsFile::close);
    }

    @Override
    public String toString() {
        return "ShardedSafetensors[" + index + ", " + shards.size() + " shards, " + byName.size()
                + " tensors]";
    }
}
