package io.github.t2i4j.core.models.clip;

import io.github.t2i4j.core.io.ModelFolder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;
import java.util.Set;

/**
 * transformers' {@code CLIPVisionModel}: the CLIP image encoder without projection. Parameters are
 * named as in the checkpoint ({@code vision_model.embeddings.patch_embedding.weight}, {@code
 * vision_model.pre_layrnorm.weight}, {@code vision_model.encoder.layers.0.self_attn.q_proj.weight},
 * ...).
 *
 * <p>Input: {@code pixel_values} [B, num_channels, image_size, image_size], normalised as the
 * checkpoint expects. OpenAI CLIP wants [0, 1] pixels normalised with its per-channel mean/std;
 * t2i4j's world CLIP takes images in [-1, 1] as they are. {@link CLIPImageProcessor} turns images
 * in [-1, 1] into either.
 */
public class CLIPVisionModel extends Module {
    static final String PROJECTION = "visual_projection.weight";

    private final CLIPVisionConfig config;
    private final CLIPVisionTransformer visionModel;

    public CLIPVisionModel(CLIPVisionConfig config) {
        this.config = config;
        this.visionModel = module("vision_model", new CLIPVisionTransformer(config));
    }

    /** Loads {@code config.json} and {@code model.safetensors} of a folder, in float32. */
    public static CLIPVisionModel fromPretrained(Path dir, NDManager manager) {
        return fromPretrained(dir, manager, DataType.FLOAT32, false);
    }

    /**
     * Loads a vision model folder strictly: every parameter must be present and every tensor used.
     *
     * @param type the type parameters are created in
     * @param ignoreProjection accept a CLIPVisionModelWithProjection checkpoint and drop its {@code
     *     visual_projection.weight}; when false such a checkpoint is an error
     */
    public static CLIPVisionModel fromPretrained(Path dir, NDManager manager, DataType type, boolean ignoreProjection) {
        String what = "CLIP vision model";
        CLIPVisionModel model = new CLIPVisionModel(CLIPVisionConfig.fromJson(ModelFolder.configFile(dir, what)));
        ModelFolder.load(model, dir, what, manager, type, ignoreProjection ? Set.of(PROJECTION) : Set.of());
        return model;
    }

    /** Encodes normalised pixel values [B, C, H, W]; {@code imageEmbeds} is null. */
    public CLIPVisionModelOutput forward(NDArray pixelValues) {
        return visionModel.forward(pixelValues);
    }

    public CLIPVisionConfig config() {
        return config;
    }

    public CLIPVisionTransformer visionModel() {
        return visionModel;
    }
}
