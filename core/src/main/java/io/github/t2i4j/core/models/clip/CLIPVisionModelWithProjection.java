package io.github.t2i4j.core.models.clip;

import io.github.t2i4j.core.io.ModelFolder;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.nn.Linear;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Path;
import java.util.Set;

/**
 * transformers' {@code CLIPVisionModelWithProjection}: the vision transformer plus the bias-free
 * {@code visual_projection} of the pooled class token (the image encoder of IP-Adapter and of
 * unCLIP). Input normalisation as for {@link CLIPVisionModel}.
 */
public class CLIPVisionModelWithProjection extends Module {
    private final CLIPVisionConfig config;
    private final CLIPVisionTransformer visionModel;
    private final Linear visualProjection;

    public CLIPVisionModelWithProjection(CLIPVisionConfig config) {
        this.config = config;
        this.visionModel = module("vision_model", new CLIPVisionTransformer(config));
        this.visualProjection =
                module("visual_projection", new Linear(config.hiddenSize(), config.projectionDim(), false));
    }

    /** Loads {@code config.json} and {@code model.safetensors} of a folder, in float32. */
    public static CLIPVisionModelWithProjection fromPretrained(Path dir, NDManager manager) {
        return fromPretrained(dir, manager, DataType.FLOAT32);
    }

    /** Loads a vision model folder strictly, creating parameters in {@code type}. */
    public static CLIPVisionModelWithProjection fromPretrained(Path dir, NDManager manager, DataType type) {
        String what = "CLIP vision model";
        CLIPVisionModelWithProjection model =
                new CLIPVisionModelWithProjection(CLIPVisionConfig.fromJson(ModelFolder.configFile(dir, what)));
        ModelFolder.load(model, dir, what, manager, type, Set.of());
        return model;
    }

    /** Encodes normalised pixel values [B, C, H, W], with {@code imageEmbeds}. */
    public CLIPVisionModelOutput forward(NDArray pixelValues) {
        CLIPVisionModelOutput out = visionModel.forward(pixelValues);
        return out.withImageEmbeds(visualProjection.forward(out.poolerOutput()));
    }

    public CLIPVisionConfig config() {
        return config;
    }

    public CLIPVisionTransformer visionModel() {
        return visionModel;
    }

    public Linear visualProjection() {
        return visualProjection;
    }
}
