package io.github.t2i4j.core.models.clip;

import java.util.Map;
import java.util.TreeMap;

/**
 * Expected parameter names and shapes, written out from transformers' modeling_clip.py
 * (CLIPTextTransformer, CLIPVisionTransformer, CLIPEncoderLayer, CLIPModel), not from our code.
 */
final class ClipNames {
    private ClipNames() {}

    /** One CLIPEncoderLayer (self_attn k/v/q/out projections with bias, two layer norms, fc1/fc2). */
    static void encoderLayer(Map<String, String> out, String prefix, long d, long inter) {
        for (String p : new String[] {"k_proj", "v_proj", "q_proj", "out_proj"}) {
            out.put(prefix + "self_attn." + p + ".weight", "(" + d + ", " + d + ")");
            out.put(prefix + "self_attn." + p + ".bias", "(" + d + ")");
        }
        out.put(prefix + "layer_norm1.weight", "(" + d + ")");
        out.put(prefix + "layer_norm1.bias", "(" + d + ")");
        out.put(prefix + "mlp.fc1.weight", "(" + inter + ", " + d + ")");
        out.put(prefix + "mlp.fc1.bias", "(" + inter + ")");
        out.put(prefix + "mlp.fc2.weight", "(" + d + ", " + inter + ")");
        out.put(prefix + "mlp.fc2.bias", "(" + d + ")");
        out.put(prefix + "layer_norm2.weight", "(" + d + ")");
        out.put(prefix + "layer_norm2.bias", "(" + d + ")");
    }

    /** CLIPVisionTransformer under "vision_model.". */
    static Map<String, String> visionTransformer(
            long d, long inter, int layers, long channels, long patch, long positions) {
        Map<String, String> out = new TreeMap<>();
        out.put("vision_model.embeddings.class_embedding", "(" + d + ")");
        out.put("vision_model.embeddings.patch_embedding.weight",
                "(" + d + ", " + channels + ", " + patch + ", " + patch + ")");
        out.put("vision_model.embeddings.position_embedding.weight", "(" + positions + ", " + d + ")");
        out.put("vision_model.pre_layrnorm.weight", "(" + d + ")");
        out.put("vision_model.pre_layrnorm.bias", "(" + d + ")");
        for (int i = 0; i < layers; i++) {
            encoderLayer(out, "vision_model.encoder.layers." + i + ".", d, inter);
        }
        out.put("vision_model.post_layernorm.weight", "(" + d + ")");
        out.put("vision_model.post_layernorm.bias", "(" + d + ")");
        return out;
    }

    /** CLIPTextTransformer under "text_model.". */
    static Map<String, String> textTransformer(long vocab, long d, long inter, int layers, long maxPos) {
        Map<String, String> out = new TreeMap<>();
        out.put("text_model.embeddings.token_embedding.weight", "(" + vocab + ", " + d + ")");
        out.put("text_model.embeddings.position_embedding.weight", "(" + maxPos + ", " + d + ")");
        for (int i = 0; i < layers; i++) {
            encoderLayer(out, "text_model.encoder.layers." + i + ".", d, inter);
        }
        out.put("text_model.final_layer_norm.weight", "(" + d + ")");
        out.put("text_model.final_layer_norm.bias", "(" + d + ")");
        return out;
    }

    /** Our module's names and shapes, in the same format. */
    static Map<String, String> of(io.github.t2i4j.core.nn.Module module) {
        Map<String, String> out = new TreeMap<>();
        module.namedShapes().forEach((n, s) -> out.put(n, s.toString()));
        return out;
    }
}
