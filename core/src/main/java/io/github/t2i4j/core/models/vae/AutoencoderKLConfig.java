package io.github.t2i4j.core.models.vae;

import static io.github.t2i4j.core.io.ConfigJson.boolOr;
import static io.github.t2i4j.core.io.ConfigJson.doubleOr;
import static io.github.t2i4j.core.io.ConfigJson.intOr;
import static io.github.t2i4j.core.io.ConfigJson.intsOr;
import static io.github.t2i4j.core.io.ConfigJson.stringOr;

import io.github.t2i4j.core.io.JsonFiles;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The configuration of diffusers' {@code AutoencoderKL}, read from the {@code config.json} of a
 * {@code vae} folder. Absent keys take diffusers' defaults; options this implementation does not
 * support (block types other than {@code DownEncoderBlock2D} / {@code UpDecoderBlock2D}, unknown
 * activations) are rejected with an {@link IllegalArgumentException} naming the key and value.
 *
 * @param inChannels image channels
 * @param outChannels reconstructed image channels
 * @param downBlockTypes encoder block types, one per level
 * @param upBlockTypes decoder block types, one per level
 * @param blockOutChannels channels per level (encoder order)
 * @param layersPerBlock resnets per encoder block (the decoder has one more)
 * @param actFn activation of the resnets
 * @param latentChannels channels of the latent
 * @param normNumGroups GroupNorm groups
 * @param sampleSize training image size (the first entry when the config gives [h, w])
 * @param scalingFactor latent scale applied before the diffusion model sees the latent
 * @param shiftFactor latent shift subtracted before scaling (0 when the config has none)
 * @param latentsMean per-channel latent mean (SDXL-style configs), or null
 * @param latentsStd per-channel latent std, or null
 * @param forceUpcast whether diffusers runs this VAE in float32 (informational here)
 * @param midBlockAddAttention whether the mid blocks carry their self-attention
 * @param useQuantConv whether {@code quant_conv} exists
 * @param usePostQuantConv whether {@code post_quant_conv} exists
 */
public record AutoencoderKLConfig(
        int inChannels,
        int outChannels,
        List<String> downBlockTypes,
        List<String> upBlockTypes,
        List<Integer> blockOutChannels,
        int layersPerBlock,
        String actFn,
        int latentChannels,
        int normNumGroups,
        int sampleSize,
        double scalingFactor,
        double shiftFactor,
        List<Double> latentsMean,
        List<Double> latentsStd,
        boolean forceUpcast,
        boolean midBlockAddAttention,
        boolean useQuantConv,
        boolean usePostQuantConv) {

    /** The only encoder block type AutoencoderKL checkpoints use. */
    public static final String DOWN_ENCODER_BLOCK = "DownEncoderBlock2D";

    /** The only decoder block type AutoencoderKL checkpoints use. */
    public static final String UP_DECODER_BLOCK = "UpDecoderBlock2D";

    private static final Set<String> ACTIVATIONS = Set.of("silu", "swish", "gelu", "relu");

    /** Validates the combination; called by the canonical constructor. */
    public AutoencoderKLConfig {
        downBlockTypes = List.copyOf(downBlockTypes);
        upBlockTypes = List.copyOf(upBlockTypes);
        blockOutChannels = List.copyOf(blockOutChannels);
        latentsMean = latentsMean == null ? null : List.copyOf(latentsMean);
        latentsStd = latentsStd == null ? null : List.copyOf(latentsStd);
        positive("in_channels", inChannels);
        positive("out_channels", outChannels);
        positive("layers_per_block", layersPerBlock);
        positive("latent_channels", latentChannels);
        positive("norm_num_groups", normNumGroups);
        if (blockOutChannels.isEmpty()) {
            throw new IllegalArgumentException("block_out_channels must not be empty");
        }
        for (int c : blockOutChannels) {
            positive("block_out_channels", c);
            if (c % normNumGroups != 0) {
                throw new IllegalArgumentException(
                        "block_out_channels entry " + c + " is not divisible by norm_num_groups " + normNumGroups);
            }
        }
        checkTypes("down_block_types", downBlockTypes, DOWN_ENCODER_BLOCK, blockOutChannels.size());
        checkTypes("up_block_types", upBlockTypes, UP_DECODER_BLOCK, blockOutChannels.size());
        if (!ACTIVATIONS.contains(actFn)) {
            throw new IllegalArgumentException(
                    "act_fn '" + actFn + "' is not supported (supported: " + ACTIVATIONS + ")");
        }
        if (!(scalingFactor > 0) || Double.isInfinite(scalingFactor)) {
            throw new IllegalArgumentException("scaling_factor must be a positive number, got " + scalingFactor);
        }
        if ((latentsMean == null) != (latentsStd == null)) {
            throw new IllegalArgumentException("latents_mean and latents_std must be given together");
        }
        if (latentsMean != null
                && (latentsMean.size() != latentChannels || latentsStd.size() != latentChannels)) {
            throw new IllegalArgumentException(
                    "latents_mean/latents_std must have latent_channels = " + latentChannels + " entries");
        }
    }

    /** diffusers' defaults, as {@code AutoencoderKL()} with no arguments. */
    public static AutoencoderKLConfig defaults() {
        return fromJson(new JsonObject());
    }

    /** Reads a diffusers {@code config.json}. */
    public static AutoencoderKLConfig fromJson(Path path) {
        return fromJson(JsonFiles.readObject(path, "VAE config"));
    }

    /** Builds the config from parsed {@code config.json} content, with diffusers' defaults. */
    public static AutoencoderKLConfig fromJson(JsonObject o) {
        if (o.has("_class_name") && !o.get("_class_name").isJsonNull()) {
            String cls = o.get("_class_name").getAsString();
            if (!"AutoencoderKL".equals(cls)) {
                throw new IllegalArgumentException("_class_name '" + cls + "' is not AutoencoderKL");
            }
        }
        if (o.has("norm_type") && !o.get("norm_type").isJsonNull()
                && !"group".equals(o.get("norm_type").getAsString())) {
            throw new IllegalArgumentException(
                    "norm_type '" + o.get("norm_type").getAsString() + "' is not supported (only 'group')");
        }
        return new AutoencoderKLConfig(
                intOr(o, "in_channels", 3),
                intOr(o, "out_channels", 3),
                getStrings(o, "down_block_types", List.of(DOWN_ENCODER_BLOCK)),
                getStrings(o, "up_block_types", List.of(UP_DECODER_BLOCK)),
                intsOr(o, "block_out_channels", List.of(64)),
                intOr(o, "layers_per_block", 1),
                stringOr(o, "act_fn", "silu"),
                intOr(o, "latent_channels", 4),
                intOr(o, "norm_num_groups", 32),
                getSampleSize(o),
                doubleOr(o, "scaling_factor", 0.18215),
                doubleOr(o, "shift_factor", 0.0),
                getDoubles(o, "latents_mean"),
                getDoubles(o, "latents_std"),
                boolOr(o, "force_upcast", true),
                boolOr(o, "mid_block_add_attention", true),
                boolOr(o, "use_quant_conv", true),
                boolOr(o, "use_post_quant_conv", true));
    }

    /**
     * This configuration under diffusers' keys, as {@code AutoencoderKL.save_pretrained} writes its
     * {@code config.json}; {@link #fromJson(JsonObject)} reads it back to an equal record.
     */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", "AutoencoderKL");
        o.addProperty("_diffusers_version", "0.25.1");
        o.addProperty("act_fn", actFn);
        o.add("block_out_channels", intArray(blockOutChannels));
        o.add("down_block_types", stringArray(downBlockTypes));
        o.addProperty("force_upcast", forceUpcast);
        o.addProperty("in_channels", inChannels);
        o.addProperty("latent_channels", latentChannels);
        o.add("latents_mean", latentsMean == null ? JsonNull.INSTANCE : doubleArray(latentsMean));
        o.add("latents_std", latentsStd == null ? JsonNull.INSTANCE : doubleArray(latentsStd));
        o.addProperty("layers_per_block", layersPerBlock);
        o.addProperty("mid_block_add_attention", midBlockAddAttention);
        o.addProperty("norm_num_groups", normNumGroups);
        o.addProperty("out_channels", outChannels);
        o.addProperty("sample_size", sampleSize);
        o.addProperty("scaling_factor", scalingFactor);
        if (shiftFactor == 0) {
            o.add("shift_factor", JsonNull.INSTANCE);
        } else {
            o.addProperty("shift_factor", shiftFactor);
        }
        o.add("up_block_types", stringArray(upBlockTypes));
        o.addProperty("use_post_quant_conv", usePostQuantConv);
        o.addProperty("use_quant_conv", useQuantConv);
        return o;
    }

    /** Writes {@link #toJson()} as {@code dir/config.json}. */
    public void save(Path dir) {
        JsonFiles.writeObject(dir.resolve("config.json"), toJson());
    }

    /** A copy with another {@code scaling_factor} (e.g. measured on the latents of a trained VAE). */
    public AutoencoderKLConfig withScalingFactor(double factor) {
        return new AutoencoderKLConfig(inChannels, outChannels, downBlockTypes, upBlockTypes, blockOutChannels,
                layersPerBlock, actFn, latentChannels, normNumGroups, sampleSize, factor, shiftFactor, latentsMean,
                latentsStd, forceUpcast, midBlockAddAttention, useQuantConv, usePostQuantConv);
    }

    private static JsonArray intArray(List<Integer> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    private static JsonArray doubleArray(List<Double> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    private static JsonArray stringArray(List<String> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /** Number of resolution levels (one per entry of {@code block_out_channels}). */
    public int levels() {
        return blockOutChannels.size();
    }

    /** How much smaller the latent is than the image: 2^(levels-1) (8 for SD/SDXL). */
    public int latentFactor() {
        return 1 << (levels() - 1);
    }

    private static void positive(String key, int v) {
        if (v <= 0) {
            throw new IllegalArgumentException(key + " must be positive, got " + v);
        }
    }

    private static void checkTypes(String key, List<String> types, String only, int levels) {
        for (String t : types) {
            if (!only.equals(t)) {
                throw new IllegalArgumentException(
                        key + " entry '" + t + "' is not supported: AutoencoderKL here builds only " + only);
            }
        }
        if (types.size() != levels) {
            throw new IllegalArgumentException(
                    key + " has " + types.size() + " entries but block_out_channels has " + levels);
        }
    }

    private static boolean present(JsonObject o, String key) {
        return o.has(key) && !o.get(key).isJsonNull();
    }

    private static JsonArray getArray(JsonObject o, String key) {
        JsonElement e = o.get(key);
        if (!e.isJsonArray()) {
            throw new IllegalArgumentException(key + " must be a list, got " + e);
        }
        return e.getAsJsonArray();
    }

    private static List<String> getStrings(JsonObject o, String key, List<String> def) {
        if (!present(o, key)) {
            return def;
        }
        List<String> out = new ArrayList<>();
        for (JsonElement e : getArray(o, key)) {
            if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
                throw new IllegalArgumentException(key + " must be a list of strings, got " + o.get(key));
            }
            out.add(e.getAsString());
        }
        return out;
    }

    private static List<Double> getDoubles(JsonObject o, String key) {
        if (!present(o, key)) {
            return null;
        }
        List<Double> out = new ArrayList<>();
        try {
            for (JsonElement e : getArray(o, key)) {
                out.add(e.getAsDouble());
            }
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(key + " must be a list of numbers, got " + o.get(key));
        }
        return out;
    }

    private static int getSampleSize(JsonObject o) {
        if (present(o, "sample_size") && o.get("sample_size").isJsonArray()) {
            List<Integer> s = intsOr(o, "sample_size", List.of(32));
            if (s.isEmpty()) {
                throw new IllegalArgumentException("sample_size must not be an empty list");
            }
            return s.get(0);
        }
        return intOr(o, "sample_size", 32);
    }
}
