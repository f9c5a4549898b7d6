package io.github.t2i4j.core.text;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;

/**
 * transformers' {@code CLIPTextModelWithProjection}: the text transformer plus the bias-free
 * {@code text_projection} of the pooled output (SDXL's second text encoder, whose {@code
 * text_embeds} feed the UNet's added condition).
 */
public class CLIPTextModelWithProjection extends Module {
    private final CLIPTextConfig config;
    private final CLIPTextTransformer textModel;
    private final Linear textProjection;

    public CLIPTextModelWithProjection(CLIPTextConfig config) {
        this.config = config;
        this.textModel = module("text_model", new CLIPTextTransformer(config));
        this.textProjection =
                module("text_projection", new Linear(config.hiddenSize(), config.projectionDim(), false));
    }

    /** Loads {@code config.json} and {@code model.safetensors} of a folder, in float32. */
    public static CLIPTextModelWithProjection fromPretrained(Path dir, NDManager manager) {
        return fromPretrained(dir, manager, DataType.FLOAT32);
    }

    /** Loads a text encoder folder strictly, creating parameters in {@code type}. */
    public static CLIPTextModelWithProjection fromPretrained(Path dir, NDManager manager, DataType type) {
        CLIPTextModelWithProjection model = new CLIPTextModelWithProjection(CLIPTextCheckpoint.config(dir));
        CLIPTextCheckpoint.load(model, dir, manager, type, false);
        return model;
    }

    /** Encodes ids [B, L] with the causal mask only. */
    public CLIPTextModelOutput forward(NDArray inputIds) {
        return forward(inputIds, null);
    }

    /** Encodes ids [B, L]; {@code attentionMask} [B, L] (1 = token, 0 = padding) may be null. */
    public CLIPTextModelOutput forward(NDArray inputIds, NDArray attentionMask) {
        CLIPTextModelOutput out = textModel.forward(inputIds, attentionMask);
        return out.withTextEmbeds(textProjection.forward(out.poolerOutput()));
    }

    public CLIPTextConfig config() {
        return config;
    }

    public CLIPTextTransformer textModel() {
        return textModel;
    }

    public Linear textProjection() {
        return textProjection;
    }
}
