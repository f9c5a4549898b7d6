package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;

/**
 * transformers' {@code CLIPTextModel}: the text encoder of Stable Diffusion 1.x/2.x and SDXL's
 * first encoder. Parameters are named as in the checkpoint ({@code text_model.encoder.layers.0.
 * self_attn.q_proj.weight}, ...).
 */
public class CLIPTextModel extends Module {
    private final CLIPTextConfig config;
    private final CLIPTextTransformer textModel;

    public CLIPTextModel(CLIPTextConfig config) {
        this.config = config;
        this.textModel = module("text_model", new CLIPTextTransformer(config));
    }

    /** Loads {@code config.json} and {@code model.safetensors} of a folder, in float32. */
    public static CLIPTextModel fromPretrained(Path dir, NDManager manager) {
        return fromPretrained(dir, manager, DataType.FLOAT32, false);
    }

    /**
     * Loads a text encoder folder ({@code config.json} + {@code model.safetensors}) strictly: every
     * parameter must be present and every tensor used.
     *
     * @param type the type parameters are created in (e.g. FLOAT16 on a GPU)
     * @param ignoreProjection accept a CLIPTextModelWithProjection checkpoint and drop its {@code
     *     text_projection.weight}; when false such a checkpoint is an error
     */
    public static CLIPTextModel fromPretrained(
            Path dir, NDManager manager, DataType type, boolean ignoreProjection) {
        CLIPTextModel model = new CLIPTextModel(CLIPTextCheckpoint.config(dir));
        CLIPTextCheckpoint.load(model, dir, manager, type, ignoreProjection);
        return model;
    }

    /** Encodes ids [B, L] with the causal mask only. */
    public CLIPTextModelOutput forward(NDArray inputIds) {
        return forward(inputIds, null);
    }

    /** Encodes ids [B, L]; {@code attentionMask} [B, L] (1 = token, 0 = padding) may be null. */
    public CLIPTextModelOutput forward(NDArray inputIds, NDArray attentionMask) {
        return textModel.forward(inputIds, attentionMask);
    }

    public CLIPTextConfig config() {
        return config;
    }

    public CLIPTextTransformer textModel() {
        return textModel;
    }
}
