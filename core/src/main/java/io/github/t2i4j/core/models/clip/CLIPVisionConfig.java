package io.github.t2i4j.core.models.clip;

import static io.github.t2i4j.core.io.ConfigJson.doubleOr;
import static io.github.t2i4j.core.io.ConfigJson.intOr;
import static io.github.t2i4j.core.io.ConfigJson.requirePositive;
import static io.github.t2i4j.core.io.ConfigJson.stringOr;

import com.google.gson.JsonObject;
import io.github.t2i4j.core.text.CLIPEncoderConfig;
import java.nio.file.Path;

/**
 * The architecture of a CLIP vision tower (a ViT), as transformers' {@code CLIPVisionConfig}
 * stores it. Absent keys take transformers' defaults (those of openai/clip-vit-base-patch32);
 * keys that do not change inference (dropout, initialiser ranges, ...) are ignored.
 *
 * <p>The tower takes {@code pixel_values} [B, num_channels, image_size, image_size] that are
 * already normalised; how images become pixel values is not part of this config but of the
 * {@link CLIPImageProcessor} (transformers' {@code preprocessor_config.json}): OpenAI's CLIP
 * expects [0, 1] pixels normalised with its mean/std, while t2i4j's own world CLIP takes images in
 * [-1, 1] directly (mean = std = 0.5).
 *
 * @param hiddenSize width of the transformer
 * @param intermediateSize width of the MLP's hidden layer
 * @param numHiddenLayers number of encoder layers
 * @param numAttentionHeads attention heads per layer
 * @param imageSize side of the square input image, in pixels
 * @param patchSize side of a square patch (the patch embedding's kernel and stride)
 * @param numChannels channels of the input image
 * @param hiddenAct the MLP activation ("quick_gelu" for OpenAI CLIP, "gelu" for OpenCLIP)
 * @param layerNormEps epsilon of every layer norm
 * @param projectionDim output width of {@code visual_projection} (projection model only)
 */
public record CLIPVisionConfig(
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int imageSize,
        int patchSize,
        int numChannels,
        String hiddenAct,
        float layerNormEps,
        int projectionDim)
        implements CLIPEncoderConfig {

    public CLIPVisionConfig {
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("image_size", imageSize);
        requirePositive("patch_size", patchSize);
        requirePositive("num_channels", numChannels);
        requirePositive("projection_dim", projectionDim);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (patchSize > imageSize) {
            throw new IllegalArgumentException(
                    "patch_size " + patchSize + " is larger than image_size " + imageSize);
        }
        if (hiddenAct == null || !ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException(
                    "unsupported hidden_act: " + hiddenAct + " (supported: " + ACTIVATIONS + ")");
        }
        if (!(layerNormEps > 0f)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
        }
    }

    /** transformers' {@code CLIPVisionConfig()} defaults (the vision tower of openai/clip-vit-base-patch32). */
    public static CLIPVisionConfig defaults() {
        return new CLIPVisionConfig(768, 3072, 12, 12, 224, 32, 3, "quick_gelu", 1e-5f, 512);
    }

    /** Patches per side: {@code image_size // patch_size}. */
    public int gridSize() {
        return imageSize / patchSize;
    }

    /** Number of patch tokens: {@code (image_size // patch_size)^2}. */
    public int numPatches() {
        return gridSize() * gridSize();
    }

    /** Rows of the position table: one per patch plus the class token. */
    public int numPositions() {
        return numPatches() + 1;
    }

    /** Reads a {@code config.json} of a CLIPVisionModel / CLIPVisionModelWithProjection. */
    public static CLIPVisionConfig fromJson(Path file) {
        return fromJson(io.github.t2i4j.core.io.JsonFiles.readObject(file, "CLIP vision config"));
    }

    /**
     * Parses the keys of a {@code CLIPVisionConfig}. A full {@code CLIPConfig} is refused: its
     * vision settings are under "vision_config" (load it with {@link CLIPConfig}).
     */
    public static CLIPVisionConfig fromJson(JsonObject o) {
        if (o.has("vision_config") && !o.has("hidden_size")) {
            throw new IllegalArgumentException(
                    "this is a full CLIPConfig (text_config + vision_config); a CLIP vision model needs the"
                            + " config.json of a CLIPVisionModel / CLIPVisionModelWithProjection (or load CLIPModel)");
        }
        CLIPVisionConfig d = defaults();
        return new CLIPVisionConfig(
                intOr(o, "hidden_size", d.hiddenSize()),
                intOr(o, "intermediate_size", d.intermediateSize()),
                intOr(o, "num_hidden_layers", d.numHiddenLayers()),
                intOr(o, "num_attention_heads", d.numAttentionHeads()),
                intOr(o, "image_size", d.imageSize()),
                intOr(o, "patch_size", d.patchSize()),
                intOr(o, "num_channels", d.numChannels()),
                stringOr(o, "hidden_act", d.hiddenAct()),
                (float) doubleOr(o, "layer_norm_eps", d.layerNormEps()),
                intOr(o, "projection_dim", d.projectionDim()));
    }

    /** The config as transformers writes it ({@code model_type} "clip_vision_model"). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "clip_vision_model");
        o.addProperty("hidden_size", hiddenSize);
        o.addProperty("intermediate_size", intermediateSize);
        o.addProperty("num_hidden_layers", numHiddenLayers);
        o.addProperty("num_attention_heads", numAttentionHeads);
        o.addProperty("image_size", imageSize);
        o.addProperty("patch_size", patchSize);
        o.addProperty("num_channels", numChannels);
        o.addProperty("hidden_act", hiddenAct);
        o.addProperty("layer_norm_eps", Double.parseDouble(Float.toString(layerNormEps)));
        o.addProperty("projection_dim", projectionDim);
        return o;
    }
}
