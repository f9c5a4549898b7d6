package io.github.t2i4j.core.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * A transformers / diffusers model folder: {@code config.json} beside the weights, found by
 * {@link Checkpoints} (single file, sharded, or a variant), loaded strictly into a module.
 */
public final class ModelFolder {
    public static final String CONFIG = "config.json";
    /** transformers' single-file weights name. */
    public static final String TRANSFORMERS_WEIGHTS = "model.safetensors";

    private ModelFolder() {}

    /** The folder's config.json, or an error naming the folder and what it should hold. */
    public static Path configFile(Path dir, String what) {
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("no " + CONFIG + " in " + what + " folder " + dir);
        }
        return file;
    }

    /**
     * Loads the folder's weights into a freshly built module, strictly (every parameter present,
     * every tensor used), skipping the tensors named in {@code ignored}.
     */
    public static void load(Module model, Path dir, String what, NDManager manager, DataType type, Set<String> ignored) {
        try (TensorSource st = Checkpoints.open(dir)) {
            TensorSource source = ignored.isEmpty() ? st : without(st, ignored);
            StateDict.loadFresh(model, source, manager, type);
        } catch (CheckpointException e) {
            throw new CheckpointException("cannot load " + what + " from " + dir + ": " + e.getMessage(), e);
        }
    }

    /** A view of {@code source} without the named tensors (the source stays the caller's). */
    public static TensorSource without(TensorSource source, Set<String> hidden) {
        Set<String> kept = new LinkedHashSet<>(source.names());
        kept.removeAll(hidden);
        Set<String> visible = Collections.unmodifiableSet(kept);
        return new TensorSource() {
            @Override
            public Set<String> names() {
                return visible;
            }

            @Override
            public TensorInfo info(String name) {
                check(name);
                return source.info(name);
            }

            @Override
            public NDArray load(String name, NDManager manager) {
                check(name);
                return source.load(name, manager);
            }

            @Override
            public NDArray load(String name, NDManager manager, DataType type) {
                check(name);
                return source.load(name, manager, type);
            }

            private void check(String name) {
                if (hidden.contains(name)) {
                    throw new CheckpointException("tensor '" + name + "' is excluded");
                }
            }

            @Override
            public void close() {
                // the underlying source belongs to the caller
            }
        };
    }
}
