package io.github.t2i4j.core.models.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.io.TensorInfo;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.nn.Module;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Finds and strictly loads the single {@code model.safetensors} of a transformers CLIP folder. */
final class CLIPCheckpoint {
    static final String CONFIG = "config.json";
    static final String WEIGHTS = "model.safetensors";

    private CLIPCheckpoint() {}

    /** The folder's config.json, or an error saying it is missing. */
    static Path configFile(Path dir, String what) {
        Path file = dir.resolve(CONFIG);
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("no " + CONFIG + " in " + what + " folder " + dir);
        }
        return file;
    }

    /** The single-file safetensors checkpoint of the folder, or an error naming what was found. */
    static Path weightsFile(Path dir, String what) {
        Path file = dir.resolve(WEIGHTS);
        if (Files.isRegularFile(file)) {
            return file;
        }
        List<String> found;
        try (Stream<Path> s = Files.list(dir)) {
            found = s.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".safetensors") || n.endsWith(".bin") || n.endsWith(".json"))
                    .sorted()
                    .collect(Collectors.toList());
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + what + " folder " + dir + ": " + e, e);
        }
        String why;
        if (found.contains(WEIGHTS + ".index.json")) {
            why = "sharded checkpoints (model.safetensors.index.json) are not supported here";
        } else if (found.stream().anyMatch(n -> n.endsWith(".bin"))) {
            why = "PyTorch pickle checkpoints (.bin) are not read; convert them to safetensors";
        } else {
            why = "no weights file found";
        }
        throw new CheckpointException(
                "cannot load " + what + " from " + dir + ": " + why + "; expected a single " + WEIGHTS
                        + " (files present: " + found + ")");
    }

    /**
     * Loads the folder's weights into a freshly built module, strictly (every parameter present,
     * every tensor used), skipping the tensors named in {@code ignored}.
     */
    static void load(Module model, Path dir, String what, NDManager manager, DataType type, Set<String> ignored) {
        Path file = weightsFile(dir, what);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            TensorSource source = ignored.isEmpty() ? st : without(st, ignored);
            try {
                StateDict.loadFresh(model, source, manager, type);
            } catch (CheckpointException e) {
                throw new CheckpointException(file + ": " + e.getMessage(), e);
            }
        }
    }

    /** A view of {@code source} without the named tensors. */
    static TensorSource without(TensorSource source, Set<String> hidden) {
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
                if (!visible.contains(name)) {
                    throw new CheckpointException("tensor '" + name + "' is excluded");
                }
            }

            @Override
            public void close() {
                // the underlying source is owned by the caller
            }
        };
    }
}
