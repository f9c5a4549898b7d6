package io.github.t2i4j.core.models.unet;

import io.github.t2i4j.core.io.JsonFiles;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The configuration of diffusers' {@code UNet2DConditionModel} (as of diffusers 0.25.1), read from
 * a checkpoint's {@code unet/config.json}. Keys absent from the file take diffusers' defaults.
 * Options that may be an int or a per-block list ({@code layers_per_block}, {@code
 * attention_head_dim}, {@code cross_attention_dim}, {@code transformer_layers_per_block}) are
 * stored as one value per down block.
 *
 * <p>Covers what Stable Diffusion 1.x/2.x and SDXL (and SDXL fine-tunes such as IterComp) use.
 * Options this implementation does not have (class embeddings, "scale_shift" time norm, encoder
 * hidden-state projections, asymmetric transformer depths, ...) are rejected with an {@link
 * IllegalArgumentException} naming the key and value, never ignored.
 *
 * <p>Naming quirk kept from diffusers: with {@code num_attention_heads} null (the only value
 * diffusers 0.25.1 accepts), {@code attention_head_dim} is the number of attention heads per
 * block; the head width is {@code channels / heads}.
 *
 * @param sampleSize nominal latent size (informational), may be null
 * @param freqShift {@code downscale_freq_shift} of the sinusoidal timestep embedding
 * @param attentionHeadDim per block: the number of attention heads (see the naming quirk above)
 * @param additionEmbedType null, or "text_time" (SDXL's pooled text + size/crop conditioning)
 * @param timeEmbeddingDim width of the time embedding, or null for {@code 4 * blockOutChannels[0]}
 */
public record UNet2DConditionConfig(
        Integer sampleSize,
        int inChannels,
        int outChannels,
        boolean centerInputSample,
        boolean flipSinToCos,
        float freqShift,
        List<String> downBlockTypes,
        String midBlockType,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        List<Integer> layersPerBlock,
        int downsamplePadding,
        float midBlockScaleFactor,
        String actFn,
        int normNumGroups,
        float normEps,
        List<Integer> crossAttentionDim,
        List<Integer> transformerLayersPerBlock,
        List<Integer> attentionHeadDim,
        boolean useLinearProjection,
        boolean upcastAttention,
        String additionEmbedType,
        Integer additionTimeEmbedDim,
        Integer projectionClassEmbeddingsInputDim,
        Integer timeEmbeddingDim,
        String timeEmbeddingActFn,
        String timestepPostAct,
        int convInKernel,
        int convOutKernel) {

    private static final Logger LOG = LoggerFactory.getLogger(UNet2DConditionConfig.class);

    static final String CROSS_ATTN_DOWN = "CrossAttnDownBlock2D";
    static final String DOWN = "DownBlock2D";
    static final String CROSS_ATTN_UP = "CrossAttnUpBlock2D";
    static final String UP = "UpBlock2D";
    static final String MID_CROSS_ATTN = "UNetMidBlock2DCrossAttn";

    /** Keys this class reads or checks; any other key is logged as ignored. */
    private static final Set<String> KNOWN_KEYS =
            Set.of(
                    "sample_size", "in_channels", "out_channels", "center_input_sample",
                    "flip_sin_to_cos", "freq_shift", "down_block_types", "mid_block_type",
                    "up_block_types", "only_cross_attention", "block_out_channels",
                    "layers_per_block", "downsample_padding", "mid_block_scale_factor", "dropout",
                    "act_fn", "norm_num_groups", "norm_eps", "cross_attention_dim",
                    "transformer_layers_per_block", "reverse_transformer_layers_per_block",
                    "encoder_hid_dim", "encoder_hid_dim_type", "attention_head_dim",
                    "num_attention_heads", "dual_cross_attention", "use_linear_projection",
                    "class_embed_type", "addition_embed_type", "addition_time_embed_dim",
                    "num_class_embeds", "upcast_attention", "resnet_time_scale_shift",
                    "resnet_skip_time_act", "resnet_out_scale_factor", "time_embedding_type",
                    "time_embedding_dim", "time_embedding_act_fn", "timestep_post_act",
                    "time_cond_proj_dim", "conv_in_kernel", "conv_out_kernel",
                    "projection_class_embeddings_input_dim", "attention_type",
                    "class_embeddings_concat", "mid_block_only_cross_attention",
                    "cross_attention_norm", "addition_embed_type_num_heads");

    /** Validates the combination, as diffusers' constructor does, plus what we do not implement. */
    public UNet2DConditionConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        layersPerBlock = List.copyOf(layersPerBlock);
        crossAttentionDim = List.copyOf(crossAttentionDim);
        transformerLayersPerBlock = List.copyOf(transformerLayersPerBlock);
        attentionHeadDim = List.copyOf(attentionHeadDim);
        int n = downBlockTypes.size();
        if (n == 0) {
            throw bad("down_block_types", downBlockTypes, "at least one block is needed");
        }
        if (upBlockTypes.size() != n) {
            throw bad("up_block_types", upBlockTypes, "must have as many entries as down_block_types " + downBlockTypes);
        }
        checkSize("block_out_channels", blockOutChannels, n);
        checkSize("layers_per_block", layersPerBlock, n);
        checkSize("cross_attention_dim", crossAttentionDim, n);
        checkSize("transformer_layers_per_block", transformerLayersPerBlock, n);
        checkSize("attention_head_dim", attentionHeadDim, n);
        for (String t : downBlockTypes) {
            if (!t.equals(CROSS_ATTN_DOWN) && !t.equals(DOWN)) {
                throw bad("down_block_types", t, "supported: " + CROSS_ATTN_DOWN + ", " + DOWN);
            }
        }
        for (String t : upBlockTypes) {
            if (!t.equals(CROSS_ATTN_UP) && !t.equals(UP)) {
                throw bad("up_block_types", t, "supported: " + CROSS_ATTN_UP + ", " + UP);
            }
        }
        if (!MID_CROSS_ATTN.equals(midBlockType)) {
            throw bad("mid_block_type", midBlockType, "supported: " + MID_CROSS_ATTN);
        }
        if (additionEmbedType != null) {
            if (!additionEmbedType.equals("text_time")) {
                throw bad("addition_embed_type", additionEmbedType, "supported: null, \"text_time\"");
            }
            if (additionTimeEmbedDim == null || additionTimeEmbedDim <= 0) {
                throw bad("addition_time_embed_dim", additionTimeEmbedDim, "required by addition_embed_type \"text_time\"");
            }
            if (projectionClassEmbeddingsInputDim == null || projectionClassEmbeddingsInputDim <= 0) {
                throw bad("projection_class_embeddings_input_dim", projectionClassEmbeddingsInputDim,
                        "required by addition_embed_type \"text_time\"");
            }
        }
        for (int i = 0; i < n; i++) {
            int ch = blockOutChannels.get(i);
            if (ch <= 0 || ch % normNumGroups != 0) {
                throw bad("block_out_channels", blockOutChannels, "each must be a positive multiple of norm_num_groups " + normNumGroups);
            }
            int heads = attentionHeadDim.get(i);
            if (heads <= 0 || ch % heads != 0) {
                throw bad("attention_head_dim", attentionHeadDim,
                        "(the number of heads) must divide block_out_channels " + blockOutChannels);
            }
            if (layersPerBlock.get(i) <= 0) {
                throw bad("layers_per_block", layersPerBlock, "must be positive");
            }
            if (transformerLayersPerBlock.get(i) <= 0) {
                throw bad("transformer_layers_per_block", transformerLayersPerBlock, "must be positive");
            }
            if (crossAttentionDim.get(i) <= 0) {
                throw bad("cross_attention_dim", crossAttentionDim, "must be positive");
            }
        }
        if (convInKernel <= 0 || convInKernel % 2 == 0) {
            throw bad("conv_in_kernel", convInKernel, "must be a positive odd number");
        }
        if (convOutKernel <= 0 || convOutKernel % 2 == 0) {
            throw bad("conv_out_kernel", convOutKernel, "must be a positive odd number");
        }
        if (timeEmbeddingDim != null && timeEmbeddingDim <= 0) {
            throw bad("time_embedding_dim", timeEmbeddingDim, "must be positive");
        }
        if (downsamplePadding < 0) {
            throw bad("downsample_padding", downsamplePadding, "must not be negative");
        }
        checkActivation("act_fn", actFn, false);
        checkActivation("time_embedding_act_fn", timeEmbeddingActFn, true);
        checkActivation("timestep_post_act", timestepPostAct, true);
    }

    /** The number of resolution levels (down blocks). */
    public int numLevels() {
        return downBlockTypes.size();
    }

    /** Number of x2 upsamplers, so latents should be multiples of {@code 2^numUpsamplers()}. */
    public int numUpsamplers() {
        return numLevels() - 1;
    }

    /** Width of the timestep embedding fed to every resnet. */
    public int timeEmbedDim() {
        return timeEmbeddingDim != null ? timeEmbeddingDim : 4 * blockOutChannels.get(0);
    }

    /** Attention heads of level {@code i} (diffusers' {@code attention_head_dim[i]}, see the class notes). */
    public int numAttentionHeads(int i) {
        return attentionHeadDim.get(i);
    }

    /** diffusers' default configuration with {@code cross_attention_dim} 768: Stable Diffusion 1.x. */
    public static UNet2DConditionConfig stableDiffusion15() {
        JsonObject o = new JsonObject();
        o.addProperty("cross_attention_dim", 768);
        o.addProperty("sample_size", 64);
        return fromJson(o);
    }

    /**
     * This configuration under diffusers' keys, as {@code UNet2DConditionModel.save_pretrained}
     * writes its {@code config.json} (per-block options that are the same for every block as one
     * number); {@link #fromJson(JsonObject)} reads it back to an equal record.
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "UNet2DConditionModel");
        o.addProperty("_diffusers_version", "0.25.1");
        o.addProperty("act_fn", actFn);
        o.add("addition_embed_type", additionEmbedType == null ? JsonNull.INSTANCE : new JsonPrimitive(additionEmbedType));
        o.add("addition_time_embed_dim", nullable(additionTimeEmbedDim));
        o.add("attention_head_dim", perBlock(attentionHeadDim));
        o.add("block_out_channels", array(blockOutChannels));
        o.addProperty("center_input_sample", centerInputSample);
        o.add("class_embed_type", JsonNull.INSTANCE);
        o.addProperty("conv_in_kernel", convInKernel);
        o.addProperty("conv_out_kernel", convOutKernel);
        o.add("cross_attention_dim", perBlock(crossAttentionDim));
        JsonArray down = new JsonArray();
        downBlockTypes.forEach(down::add);
        o.add("down_block_types", down);
        o.addProperty("downsample_padding", downsamplePadding);
        o.addProperty("dual_cross_attention", false);
        o.add("encoder_hid_dim", JsonNull.INSTANCE);
        o.addProperty("flip_sin_to_cos", flipSinToCos);
        o.add("freq_shift", number(freqShift));
        o.addProperty("in_channels", inChannels);
        o.add("layers_per_block", perBlock(layersPerBlock));
        o.add("mid_block_scale_factor", number(midBlockScaleFactor));
        o.addProperty("mid_block_type", midBlockType);
        o.addProperty("norm_eps", Double.parseDouble(Float.toString(normEps)));
        o.addProperty("norm_num_groups", normNumGroups);
        o.add("num_attention_heads", JsonNull.INSTANCE);
        o.add("num_class_embeds", JsonNull.INSTANCE);
        o.addProperty("only_cross_attention", false);
        o.addProperty("out_channels", outChannels);
        o.add("projection_class_embeddings_input_dim", nullable(projectionClassEmbeddingsInputDim));
        o.addProperty("resnet_time_scale_shift", "default");
        o.add("sample_size", nullable(sampleSize));
        o.add("time_embedding_act_fn", timeEmbeddingActFn == null ? JsonNull.INSTANCE : new JsonPrimitive(timeEmbeddingActFn));
        o.add("time_embedding_dim", nullable(timeEmbeddingDim));
        o.addProperty("time_embedding_type", "positional");
        o.add("timestep_post_act", timestepPostAct == null ? JsonNull.INSTANCE : new JsonPrimitive(timestepPostAct));
        o.add("transformer_layers_per_block", perBlock(transformerLayersPerBlock));
        JsonArray up = new JsonArray();
        upBlockTypes.forEach(up::add);
        o.add("up_block_types", up);
        o.addProperty("upcast_attention", upcastAttention);
        o.addProperty("use_linear_projection", useLinearProjection);
        return o;
    }

    /** Writes {@link #toJson()} as {@code dir/config.json}. */
    public void save(Path dir) {
        JsonFiles.writeObject(dir.resolve("config.json"), toJson());
    }

    private static JsonElement nullable(Integer v) {
        return v == null ? JsonNull.INSTANCE : new JsonPrimitive(v);
    }

    /** A float as diffusers writes it: an integer when it is one, else its shortest decimal. */
    private static JsonElement number(float v) {
        return v == Math.rint(v) ? new JsonPrimitive((long) v) : new JsonPrimitive(Double.parseDouble(Float.toString(v)));
    }

    private static JsonArray array(List<Integer> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /** One number when every block has the same value, else the list. */
    private static JsonElement perBlock(List<Integer> values) {
        return values.stream().distinct().count() == 1 ? new JsonPrimitive(values.get(0)) : array(values);
    }

    /** Reads {@code config.json} (a UNet folder's configuration). */
    public static UNet2DConditionConfig fromJson(Path configJson) {
        try {
            return fromJson(JsonParser.parseString(Files.readString(configJson)).getAsJsonObject());
        } catch (IOException | JsonParseException | IllegalStateException e) {
            throw new IllegalArgumentException("cannot read UNet config " + configJson + ": " + e.getMessage(), e);
        }
    }

    /** Builds the configuration from a parsed diffusers config, applying diffusers' defaults. */
    public static UNet2DConditionConfig fromJson(JsonObject o) {
        for (String key : o.keySet()) {
            if (!key.startsWith("_") && !KNOWN_KEYS.contains(key)) {
                LOG.warn("UNet config key {}={} is not known to this implementation and is ignored", key, o.get(key));
            }
        }
        // options we do not implement: accepted only at their neutral value
        requireNull(o, "num_attention_heads",
                "diffusers 0.25.1 rejects it too; attention_head_dim gives the number of heads");
        requireNull(o, "class_embed_type", "class embeddings are not supported");
        requireNull(o, "num_class_embeds", "class embeddings are not supported");
        requireNull(o, "encoder_hid_dim", "encoder hidden-state projections are not supported");
        requireNull(o, "encoder_hid_dim_type", "encoder hidden-state projections are not supported");
        requireNull(o, "reverse_transformer_layers_per_block", "asymmetric transformer depths are not supported");
        requireNull(o, "time_cond_proj_dim", "timestep conditioning projections are not supported");
        requireNull(o, "cross_attention_norm", "cross-attention norms are not supported");
        requireValue(o, "class_embeddings_concat", false);
        requireValue(o, "dual_cross_attention", false);
        requireValue(o, "resnet_skip_time_act", false);
        requireValue(o, "resnet_time_scale_shift", "default");
        requireValue(o, "time_embedding_type", "positional");
        requireValue(o, "attention_type", "default");
        requireValue(o, "dropout", 0.0);
        if (has(o, "only_cross_attention")) {
            JsonElement e = o.get("only_cross_attention");
            boolean any = false;
            if (e.isJsonArray()) {
                for (JsonElement x : e.getAsJsonArray()) {
                    any |= x.getAsBoolean();
                }
            } else {
                any = e.getAsBoolean();
            }
            if (any) {
                throw bad("only_cross_attention", e, "only false is supported");
            }
        }
        if (has(o, "mid_block_only_cross_attention") && o.get("mid_block_only_cross_attention").getAsBoolean()) {
            throw bad("mid_block_only_cross_attention", o.get("mid_block_only_cross_attention"), "only null/false is supported");
        }
        // resnet_out_scale_factor only reaches ResnetDownsampleBlock2D-type blocks in diffusers,
        // not the four block types supported here, so any value behaves as diffusers does.

        List<String> down = strings(o, "down_block_types",
                List.of(CROSS_ATTN_DOWN, CROSS_ATTN_DOWN, CROSS_ATTN_DOWN, DOWN));
        List<String> up = strings(o, "up_block_types", List.of(UP, CROSS_ATTN_UP, CROSS_ATTN_UP, CROSS_ATTN_UP));
        int n = down.size();
        if (has(o, "transformer_layers_per_block") && o.get("transformer_layers_per_block").isJsonArray()) {
            for (JsonElement e : o.getAsJsonArray("transformer_layers_per_block")) {
                if (e.isJsonArray()) {
                    throw bad("transformer_layers_per_block", o.get("transformer_layers_per_block"),
                            "nested per-layer lists (asymmetric UNets) are not supported");
                }
            }
        }
        return new UNet2DConditionConfig(
                has(o, "sample_size") ? intOrNull(o, "sample_size") : null,
                integer(o, "in_channels", 4),
                integer(o, "out_channels", 4),
                bool(o, "center_input_sample", false),
                bool(o, "flip_sin_to_cos", true),
                (float) number(o, "freq_shift", 0),
                down.stream().map(UNet2DConditionConfig::stripUNetRes).toList(),
                o.has("mid_block_type") ? str(o, "mid_block_type") : MID_CROSS_ATTN,
                up.stream().map(UNet2DConditionConfig::stripUNetRes).toList(),
                intList(o, "block_out_channels", List.of(320, 640, 1280, 1280), -1),
                intList(o, "layers_per_block", List.of(2), n),
                integer(o, "downsample_padding", 1),
                (float) number(o, "mid_block_scale_factor", 1),
                o.has("act_fn") ? str(o, "act_fn") : "silu",
                requiredInt(o, "norm_num_groups", 32),
                (float) number(o, "norm_eps", 1e-5),
                intList(o, "cross_attention_dim", List.of(1280), n),
                intList(o, "transformer_layers_per_block", List.of(1), n),
                intList(o, "attention_head_dim", List.of(8), n),
                bool(o, "use_linear_projection", false),
                bool(o, "upcast_attention", false),
                has(o, "addition_embed_type") ? str(o, "addition_embed_type") : null,
                has(o, "addition_time_embed_dim") ? intOrNull(o, "addition_time_embed_dim") : null,
                has(o, "projection_class_embeddings_input_dim")
                        ? intOrNull(o, "projection_class_embeddings_input_dim")
                        : null,
                has(o, "time_embedding_dim") ? intOrNull(o, "time_embedding_dim") : null,
                has(o, "time_embedding_act_fn") ? str(o, "time_embedding_act_fn") : null,
                has(o, "timestep_post_act") ? str(o, "timestep_post_act") : null,
                integer(o, "conv_in_kernel", 3),
                integer(o, "conv_out_kernel", 3));
    }

    // ---- JSON helpers: absent keys take the default; explicit null is kept where diffusers keeps it

    private static boolean has(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    private static String stripUNetRes(String type) {
        return type.startsWith("UNetRes") ? type.substring(7) : type;
    }

    private static int integer(JsonObject o, String key, int def) {
        if (!o.has(key)) {
            return def;
        }
        return requiredInt(o, key, def);
    }

    private static int requiredInt(JsonObject o, String key, int def) {
        if (!o.has(key)) {
            return def;
        }
        Integer v = intOrNull(o, key);
        if (v == null) {
            throw bad(key, "null", "a number is required");
        }
        return v;
    }

    private static Integer intOrNull(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(key, e, "an integer is expected");
        }
        double d = e.getAsDouble();
        if (d != Math.rint(d)) {
            throw bad(key, e, "an integer is expected");
        }
        return (int) d;
    }

    private static double number(JsonObject o, String key, double def) {
        JsonElement e = o.get(key);
        if (e == null) {
            return def;
        }
        if (e.isJsonNull() || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw bad(key, e, "a number is expected");
        }
        return e.getAsDouble();
    }

    private static boolean bool(JsonObject o, String key, boolean def) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return def;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw bad(key, e, "true or false is expected");
        }
        return e.getAsBoolean();
    }

    private static String str(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (e == null || e.isJsonNull()) {
            return null;
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw bad(key, e, "a string is expected");
        }
        return e.getAsString();
    }

    private static List<String> strings(JsonObject o, String key, List<String> def) {
        if (!o.has(key)) {
            return def;
        }
        JsonElement e = o.get(key);
        if (!e.isJsonArray()) {
            throw bad(key, e, "a list of block type names is expected");
        }
        List<String> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) {
            out.add(x.getAsString());
        }
        return out;
    }

    /** An int or a list of ints; an int (or a one-element default) is repeated {@code n} times. */
    private static List<Integer> intList(JsonObject o, String key, List<Integer> def, int n) {
        List<Integer> values;
        JsonElement e = o.get(key);
        if (e == null) {
            values = def;
        } else if (e.isJsonArray()) {
            values = new ArrayList<>();
            JsonArray a = e.getAsJsonArray();
            for (JsonElement x : a) {
                if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
                    throw bad(key, e, "a list of integers is expected");
                }
                values.add(x.getAsInt());
            }
            return values;
        } else if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            values = List.of(intOrNull(o, key));
        } else {
            throw bad(key, e, "an integer or a list of integers is expected");
        }
        if (n > 0 && values.size() == 1) {
            return Collections.nCopies(n, values.get(0));
        }
        return values;
    }

    private static void requireNull(JsonObject o, String key, String why) {
        if (has(o, key)) {
            throw bad(key, o.get(key), why);
        }
    }

    private static void requireValue(JsonObject o, String key, Object expected) {
        if (!has(o, key)) {
            return;
        }
        JsonElement e = o.get(key);
        boolean ok;
        if (expected instanceof Boolean b) {
            ok = e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean() && e.getAsBoolean() == b;
        } else if (expected instanceof Double d) {
            ok = e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber() && e.getAsDouble() == d;
        } else {
            ok = e.isJsonPrimitive() && Objects.equals(e.getAsString(), expected);
        }
        if (!ok) {
            throw bad(key, e, "only " + expected + " is supported");
        }
    }

    private static void checkSize(String key, List<?> values, int n) {
        if (values.size() != n) {
            throw bad(key, values, "must have one entry per down block (" + n + ")");
        }
    }

    private static void checkActivation(String key, String name, boolean nullable) {
        if (name == null && nullable) {
            return;
        }
        if (name == null || !Set.of("silu", "swish", "gelu", "relu").contains(name)) {
            throw bad(key, name, "supported: silu, swish, gelu, relu" + (nullable ? ", null" : ""));
        }
    }

    private static IllegalArgumentException bad(String key, Object value, String why) {
        return new IllegalArgumentException(
                "unsupported UNet2DConditionModel config: " + key + "=" + value + " (" + why + ")");
    }
}
