package io.github.t2i4j.core.text;

import static io.github.t2i4j.core.io.ConfigJson.doubleOr;
import static io.github.t2i4j.core.io.ConfigJson.intOr;
import static io.github.t2i4j.core.io.ConfigJson.requirePositive;
import static io.github.t2i4j.core.io.ConfigJson.stringOr;

import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.JsonFiles;
import java.nio.file.Path;

/**
 * The architecture of a CLIP text encoder, as transformers' {@code CLIPTextConfig} stores it in a
 * text encoder's {@code config.json}. Absent keys take transformers' defaults; keys that do not
 * change inference (dropout, initialiser ranges, {@code architectures}, {@code torch_dtype}, ...)
 * are ignored.
 *
 * @param vocabSize number of token ids
 * @param hiddenSize width of the transformer
 * @param intermediateSize width of the MLP's hidden layer
 * @param numHiddenLayers number of encoder layers
 * @param numAttentionHeads attention heads per layer
 * @param maxPositionEmbeddings longest sequence the position table covers (77 for CLIP)
 * @param hiddenAct the MLP activation: "quick_gelu" (OpenAI CLIP) or "gelu" (OpenCLIP), or any
 *     other name {@link io.github.t2i4j.core.nn.Activations#apply} knows
 * @param layerNormEps epsilon of every layer norm
 * @param projectionDim output width of {@code text_projection} (projection model only)
 * @param bosTokenId start-of-text id
 * @param eosTokenId end-of-text id; 2 selects transformers' legacy pooling rule (argmax of ids)
 * @param padTokenId padding id (informative; the encoder does not use it)
 */
public record CLIPTextConfig(
        int vocabSize,
        int hiddenSize,
        int intermediateSize,
        int numHiddenLayers,
        int numAttentionHeads,
        int maxPositionEmbeddings,
        String hiddenAct,
        float layerNormEps,
        int projectionDim,
        int bosTokenId,
        int eosTokenId,
        int padTokenId)
        implements CLIPEncoderConfig {

    public CLIPTextConfig {
        requirePositive("vocab_size", vocabSize);
        requirePositive("hidden_size", hiddenSize);
        requirePositive("intermediate_size", intermediateSize);
        requirePositive("num_hidden_layers", numHiddenLayers);
        requirePositive("num_attention_heads", numAttentionHeads);
        requirePositive("max_position_embeddings", maxPositionEmbeddings);
        requirePositive("projection_dim", projectionDim);
        if (hiddenSize % numAttentionHeads != 0) {
            throw new IllegalArgumentException(
                    "hidden_size " + hiddenSize + " is not divisible by num_attention_heads " + numAttentionHeads);
        }
        if (hiddenAct == null || !ACTIVATIONS.contains(hiddenAct)) {
            throw new IllegalArgumentException(
                    "unsupported hidden_act: " + hiddenAct + " (supported: " + ACTIVATIONS + ")");
        }
        if (!(layerNormEps > 0f)) {
            throw new IllegalArgumentException("layer_norm_eps must be positive, got " + layerNormEps);
        }
    }

    /** transformers' {@code CLIPTextConfig()} defaults (the text tower of openai/clip-vit-base-patch32). */
    public static CLIPTextConfig defaults() {
        return new CLIPTextConfig(49408, 512, 2048, 12, 8, 77, "quick_gelu", 1e-5f, 512, 49406, 49407, 1);
    }

    /** Size of one attention head. */
    @Override
    public int headDim() {
        return hiddenSize / numAttentionHeads;
    }

    /** Reads a {@code config.json}. */
    public static CLIPTextConfig fromJson(Path file) {
        return fromJson(JsonFiles.readObject(file, "CLIP text config"));
    }

    /**
     * Parses the keys of a {@code CLIPTextConfig}. A full {@code CLIPConfig} ("model_type": "clip")
     * is refused: its text settings are under "text_config" and its checkpoint holds a vision tower.
     */
    public static CLIPTextConfig fromJson(JsonObject o) {
        if (o.has("text_config") && !o.has("hidden_size")) {
            throw new IllegalArgumentException(
                    "this is a full CLIPConfig (text_config + vision_config); a CLIP text encoder needs the"
                            + " config.json of a CLIPTextModel / CLIPTextModelWithProjection");
        }
        CLIPTextConfig d = defaults();
        return new CLIPTextConfig(
                intOr(o, "vocab_size", d.vocabSize()),
                intOr(o, "hidden_size", d.hiddenSize()),
                intOr(o, "intermediate_size", d.intermediateSize()),
                intOr(o, "num_hidden_layers", d.numHiddenLayers()),
                intOr(o, "num_attention_heads", d.numAttentionHeads()),
                intOr(o, "max_position_embeddings", d.maxPositionEmbeddings()),
                stringOr(o, "hidden_act", d.hiddenAct()),
                (float) doubleOr(o, "layer_norm_eps", d.layerNormEps()),
                intOr(o, "projection_dim", d.projectionDim()),
                intOr(o, "bos_token_id", d.bosTokenId()),
                intOr(o, "eos_token_id", d.eosTokenId()),
                intOr(o, "pad_token_id", d.padTokenId()));
    }
}
