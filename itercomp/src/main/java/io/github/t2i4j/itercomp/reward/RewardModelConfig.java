package io.github.t2i4j.itercomp.reward;

import static io.github.t2i4j.core.io.ConfigJson.requireDouble;
import static io.github.t2i4j.core.io.ConfigJson.requireInt;
import static io.github.t2i4j.core.io.ConfigJson.requireObject;
import static io.github.t2i4j.core.io.ConfigJson.requirePositive;

import io.github.t2i4j.core.io.JsonFiles;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.models.clip.CLIPConfig;
import io.github.t2i4j.core.models.clip.CLIPVisionConfig;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPEncoderConfig;
import java.nio.file.Path;
import java.util.Set;

/**
 * Configuration of an ImageReward-style {@link RewardModel}: the vision tower (a CLIP vision
 * config), the BERT-like text encoder with cross-attention (width, layers, heads, MLP width,
 * vocabulary and maximum length of the CLIP tokenizer's ids), the fraction of the vision tower's
 * layers kept frozen, and the fixed mean/std that normalise the score (ImageReward's constants,
 * set after training from the training scores).
 *
 * @param textHiddenSize width of the text encoder (and of the score head's input)
 * @param textIntermediateSize width of the text layers' feed-forward hidden layer
 * @param textLayers text encoder layers (each: self-attention, cross-attention, feed-forward)
 * @param textHeads attention heads of the text layers
 * @param vocabSize size of the tokenizer's vocabulary
 * @param maxPositionEmbeddings longest token sequence
 * @param visionConfig the image encoder (the world CLIP's vision tower)
 * @param frozenFraction fraction of the vision encoder's layers (lowest first, with the patch
 *     embeddings and pre-norm) that are frozen; ImageReward's 0.7
 * @param scoreMean subtracted from the raw score
 * @param scoreStd the raw score minus the mean is divided by this
 * @param clipTextConfig when not null, the model also carries the world CLIP's text tower and both
 *     projections and adds their image-text similarity, scaled, to the head's score: the CLIP score
 *     as a prior the head corrects (ImageReward starts from BLIP's image-text matching; our small
 *     CLIP is what we have pretrained). Null: ImageReward's head alone.
 */
public record RewardModelConfig(
        int textHiddenSize,
        int textIntermediateSize,
        int textLayers,
        int textHeads,
        int vocabSize,
        int maxPositionEmbeddings,
        CLIPVisionConfig visionConfig,
        double frozenFraction,
        double scoreMean,
        double scoreStd,
        CLIPTextConfig clipTextConfig) {

    /** ImageReward's head 768-1024-128-64-16-1 at our width: W -> 128 -> 64 -> 16 -> 1. */
    public static final int[] HEAD_WIDTHS = {128, 64, 16, 1};

    public RewardModelConfig {
        requirePositive("text_hidden_size", textHiddenSize);
        requirePositive("text_intermediate_size", textIntermediateSize);
        requirePositive("text_layers", textLayers);
        requirePositive("text_heads", textHeads);
        requirePositive("vocab_size", vocabSize);
        requirePositive("max_position_embeddings", maxPositionEmbeddings);
        if (textHiddenSize % textHeads != 0) {
            throw new IllegalArgumentException(
                    "text_hidden_size " + textHiddenSize + " is not divisible by text_heads " + textHeads);
        }
        if (visionConfig == null) {
            throw new IllegalArgumentException("vision_config is required");
        }
        if (!(frozenFraction >= 0 && frozenFraction <= 1)) {
            throw new IllegalArgumentException("frozen_fraction must be in [0, 1], got " + frozenFraction);
        }
        if (!(scoreStd > 0) || !Double.isFinite(scoreMean)) {
            throw new IllegalArgumentException(
                    "score_std must be positive and score_mean finite, got mean " + scoreMean + " std " + scoreStd);
        }
    }

    /**
     * A text encoder of the vision tower's width with {@code layers} layers over a tokenizer of
     * {@code vocabSize} ids and {@code maxLength} positions; 70% of the vision layers frozen, no
     * normalisation yet (mean 0, std 1).
     */
    public static RewardModelConfig of(CLIPVisionConfig vision, int vocabSize, int maxLength, int layers) {
        int w = vision.hiddenSize();
        return new RewardModelConfig(w, 4 * w, layers, vision.numAttentionHeads(), vocabSize, maxLength, vision,
                0.7, 0.0, 1.0, null);
    }

    /** Number of vision encoder layers that are frozen: {@code (int) (layers * frozenFraction)}, as ImageReward. */
    public int frozenVisionLayers() {
        return (int) (visionConfig.numHiddenLayers() * frozenFraction);
    }

    public RewardModelConfig withFrozenFraction(double f) {
        return new RewardModelConfig(textHiddenSize, textIntermediateSize, textLayers, textHeads, vocabSize,
                maxPositionEmbeddings, visionConfig, f, scoreMean, scoreStd, clipTextConfig);
    }

    public RewardModelConfig withNormalization(double mean, double std) {
        return new RewardModelConfig(textHiddenSize, textIntermediateSize, textLayers, textHeads, vocabSize,
                maxPositionEmbeddings, visionConfig, frozenFraction, mean, std, clipTextConfig);
    }

    /** With the CLIP-score prior of a CLIP whose text tower is {@code text} (null: without). */
    public RewardModelConfig withClipScore(CLIPTextConfig text) {
        return new RewardModelConfig(textHiddenSize, textIntermediateSize, textLayers, textHeads, vocabSize,
                maxPositionEmbeddings, visionConfig, frozenFraction, scoreMean, scoreStd, text);
    }

    /** Whether the score includes the CLIP image-text similarity. */
    public boolean hasClipScore() {
        return clipTextConfig != null;
    }

    /** The text layers' view as a CLIP encoder config (for the shared attention and MLP code). */
    CLIPEncoderConfig textEncoderConfig() {
        return new TextLayers(textHiddenSize, textIntermediateSize, textLayers, textHeads);
    }

    private record TextLayers(int hiddenSize, int intermediateSize, int numHiddenLayers, int numAttentionHeads)
            implements CLIPEncoderConfig {
        @Override
        public String hiddenAct() {
            return "gelu";
        }

        @Override
        public float layerNormEps() {
            return 1e-5f;
        }
    }

    // ---- JSON

    private static final Set<String> KEYS = Set.of("model_type", "text_hidden_size", "text_intermediate_size",
            "text_layers", "text_heads", "vocab_size", "max_position_embeddings", "vision_config", "frozen_fraction",
            "score_mean", "score_std", "clip_text_config");

    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "t2i4j_reward_model");
        o.addProperty("text_hidden_size", textHiddenSize);
        o.addProperty("text_intermediate_size", textIntermediateSize);
        o.addProperty("text_layers", textLayers);
        o.addProperty("text_heads", textHeads);
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("max_position_embeddings", maxPositionEmbeddings);
        o.add("vision_config", visionConfig.toJson());
        o.addProperty("frozen_fraction", frozenFraction);
        o.addProperty("score_mean", scoreMean);
        o.addProperty("score_std", scoreStd);
        if (clipTextConfig != null) {
            o.add("clip_text_config", CLIPConfig.textConfigJson(clipTextConfig));
        }
        return o;
    }

    /** Parses a config written by {@link #toJson}; every key is required, unknown keys are rejected. */
    public static RewardModelConfig fromJson(JsonObject o) {
        for (String k : o.keySet()) {
            if (!KEYS.contains(k)) {
                throw new IllegalArgumentException("unknown reward model config key: " + k);
            }
        }
        if (o.has("model_type") && !"t2i4j_reward_model".equals(o.get("model_type").getAsString())) {
            throw new IllegalArgumentException("model_type: expected t2i4j_reward_model, got " + o.get("model_type"));
        }
        return new RewardModelConfig(
                requireInt(o, "text_hidden_size"),
                requireInt(o, "text_intermediate_size"),
                requireInt(o, "text_layers"),
                requireInt(o, "text_heads"),
                requireInt(o, "vocab_size"),
                requireInt(o, "max_position_embeddings"),
                CLIPVisionConfig.fromJson(requireObject(o, "vision_config")),
                requireDouble(o, "frozen_fraction"),
                requireDouble(o, "score_mean"),
                requireDouble(o, "score_std"),
                o.has("clip_text_config") ? CLIPTextConfig.fromJson(requireObject(o, "clip_text_config")) : null);
    }

    public static RewardModelConfig fromJson(Path file) {
        return fromJson(JsonFiles.readObject(file, "reward model config"));
    }

    public void save(Path file) {
        JsonFiles.writeObject(file, toJson());
    }
}
