package io.github.t2i4j.core.models.clip;

import io.github.t2i4j.core.io.ConfigJson;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.ModelFolder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.text.CLIPTextConfig;
import java.nio.file.Path;
import java.util.Map;

/**
 * transformers' {@code CLIPConfig} ("model_type": "clip"): the two towers' configs plus the joint
 * projection width and the initial logit scale. Note that {@link CLIPModel}'s projections use this
 * {@code projection_dim}, not the sub-configs' own (which only the *WithProjection classes use).
 *
 * @param textConfig the text tower ({@code text_config})
 * @param visionConfig the vision tower ({@code vision_config})
 * @param projectionDim width of the joint embedding space
 * @param logitScaleInitValue initial value of the {@code logit_scale} parameter (the log of the
 *     softmax temperature's inverse); transformers' default 2.6592 = ln(1 / 0.07)
 */
public record CLIPConfig(
        CLIPTextConfig textConfig, CLIPVisionConfig visionConfig, int projectionDim, float logitScaleInitValue) {

    /** transformers' default {@code logit_scale_init_value}: ln(1 / 0.07), as CLIP initialises it. */
    public static final float DEFAULT_LOGIT_SCALE_INIT = 2.6592f;

    public CLIPConfig {
        if (textConfig == null || visionConfig == null) {
            throw new IllegalArgumentException("a CLIPConfig needs both text_config and vision_config");
        }
        ConfigJson.requirePositive("projection_dim", projectionDim);
        if (!Float.isFinite(logitScaleInitValue)) {
            throw new IllegalArgumentException("logit_scale_init_value must be finite, got " + logitScaleInitValue);
        }
    }

    /** A config with transformers' default projection width (512) and logit scale. */
    public static CLIPConfig of(CLIPTextConfig textConfig, CLIPVisionConfig visionConfig) {
        return new CLIPConfig(textConfig, visionConfig, 512, DEFAULT_LOGIT_SCALE_INIT);
    }

    /** Reads a CLIPModel's {@code config.json}. */
    public static CLIPConfig fromJson(Path file) {
        return fromJson(JsonFiles.readObject(file, "CLIP config"));
    }

    /**
     * Parses a {@code CLIPConfig}. Older configs also carry {@code text_config_dict} / {@code
     * vision_config_dict}; as in transformers, their entries override those of {@code
     * text_config} / {@code vision_config}.
     */
    public static CLIPConfig fromJson(JsonObject o) {
        String type = ConfigJson.stringOr(o, "model_type", "clip");
        if (!type.equals("clip")) {
            throw new IllegalArgumentException("config model_type " + type + " is not a CLIPConfig (\"clip\")");
        }
        if (!o.has("text_config") && !o.has("text_config_dict") && o.has("hidden_size")) {
            throw new IllegalArgumentException(
                    "this is the config of a single CLIP tower, not of a CLIPModel (text_config + vision_config)");
        }
        JsonObject text = merged(o, "text_config");
        JsonObject vision = merged(o, "vision_config");
        return new CLIPConfig(
                CLIPTextConfig.fromJson(text),
                CLIPVisionConfig.fromJson(vision),
                ConfigJson.intOr(o, "projection_dim", 512),
                (float) ConfigJson.doubleOr(o, "logit_scale_init_value", DEFAULT_LOGIT_SCALE_INIT));
    }

    private static JsonObject merged(JsonObject o, String key) {
        JsonObject out = ConfigJson.objectOr(o, key).deepCopy();
        for (Map.Entry<String, com.google.gson.JsonElement> e : ConfigJson.objectOr(o, key + "_dict").entrySet()) {
            out.add(e.getKey(), e.getValue());
        }
        return out;
    }

    /** The config as transformers writes a CLIPModel's {@code config.json}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        JsonArray arch = new JsonArray();
        arch.add("CLIPModel");
        o.add("architectures", arch);
        o.addProperty("model_type", "clip");
        o.addProperty("projection_dim", projectionDim);
        o.addProperty("logit_scale_init_value", Double.parseDouble(Float.toString(logitScaleInitValue)));
        o.add("text_config", textConfigJson(textConfig));
        o.add("vision_config", visionConfig.toJson());
        o.addProperty("torch_dtype", "float32");
        return o;
    }

    /** Writes {@link #toJson()} as {@code config.json} into {@code dir}. */
    public void save(Path dir) {
        JsonFiles.writeObject(dir.resolve(ModelFolder.CONFIG), toJson());
    }

    /** A {@link CLIPTextConfig} under transformers' keys ({@code model_type} "clip_text_model"). */
    public static JsonObject textConfigJson(CLIPTextConfig c) {
        JsonObject o = new JsonObject();
        o.addProperty("model_type", "clip_text_model");
        o.addProperty("vocab_size", c.vocabSize());
        o.addProperty("hidden_size", c.hiddenSize());
        o.addProperty("intermediate_size", c.intermediateSize());
        o.addProperty("num_hidden_layers", c.numHiddenLayers());
        o.addProperty("num_attention_heads", c.numAttentionHeads());
        o.addProperty("max_position_embeddings", c.maxPositionEmbeddings());
        o.addProperty("hidden_act", c.hiddenAct());
        o.addProperty("layer_norm_eps", Double.parseDouble(Float.toString(c.layerNormEps())));
        o.addProperty("projection_dim", c.projectionDim());
        o.addProperty("bos_token_id", c.bosTokenId());
        o.addProperty("eos_token_id", c.eosTokenId());
        o.addProperty("pad_token_id", c.padTokenId());
        return o;
    }
}
