package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.ModelFolder;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;
import java.util.Set;

/** Loads a transformers text encoder folder, explaining the projection mismatch users hit most. */
final class CLIPTextCheckpoint {
    static final String PROJECTION = "text_projection.weight";

    private CLIPTextCheckpoint() {}

    /** The folder's config.json, parsed. */
    static CLIPTextConfig config(Path dir) {
        return CLIPTextConfig.fromJson(ModelFolder.configFile(dir, "text encoder"));
    }

    /**
     * Loads the folder's weights into a freshly built module, strictly. With {@code
     * ignoreProjection}, a {@code text_projection.weight} in the checkpoint is skipped (a
     * CLIPTextModelWithProjection checkpoint loaded as a plain CLIPTextModel).
     */
    static void load(Module model, Path dir, NDManager manager, DataType type, boolean ignoreProjection) {
        try {
            ModelFolder.load(model, dir, "text encoder", manager, type,
                    ignoreProjection ? Set.of(PROJECTION) : Set.of());
        } catch (CheckpointException e) {
            if (!ignoreProjection && model instanceof CLIPTextModel && e.getMessage().contains(PROJECTION)) {
                throw new CheckpointException(
                        e.getMessage() + "\n  (" + dir + " holds a CLIPTextModelWithProjection checkpoint:"
                                + " load it with CLIPTextModelWithProjection, or as CLIPTextModel with"
                                + " ignoreProjection = true)",
                        e);
            }
            throw e;
        }
    }
}
