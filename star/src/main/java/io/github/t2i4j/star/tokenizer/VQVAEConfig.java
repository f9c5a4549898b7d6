package io.github.t2i4j.star.tokenizer;

import static io.github.t2i4j.core.io.ConfigJson.boolOr;
import static io.github.t2i4j.core.io.ConfigJson.doubleOr;
import static io.github.t2i4j.core.io.ConfigJson.intOr;
import static io.github.t2i4j.core.io.ConfigJson.intsOr;
import static io.github.t2i4j.core.io.ConfigJson.requirePositive;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.JsonFiles;
import java.nio.file.Path;
import java.util.List;

/**
 * The constructor arguments of VAR's {@code VQVAE} (FoundationVision/VAR {@code models/vqvae.py}),
 * under the same keys, plus the encoder/decoder layout VAR hard-codes ({@code ch_mult}, {@code
 * num_res_blocks}, {@code using_sa}, {@code using_mid_sa}) so that smaller tokenizers can be built.
 * Absent keys take VAR's defaults; invalid values are rejected with an {@link
 * IllegalArgumentException} naming the key.
 *
 * @param vocabSize codebook size V ({@code vocab_size})
 * @param zChannels latent / code width Cvae ({@code z_channels})
 * @param ch base channel count of the encoder and decoder ({@code ch})
 * @param chMult channel multiplier per resolution level ({@code ch_mult}); the latent is 2^(levels-1)
 *     times smaller than the image
 * @param numResBlocks resnet blocks per encoder level (the decoder has one more) ({@code
 *     num_res_blocks})
 * @param usingSa whether the lowest-resolution level carries self-attention after each block
 * @param usingMidSa whether the mid block carries self-attention
 * @param dropout dropout in the resnet blocks (training only)
 * @param beta weight of the commitment term of the VQ loss
 * @param usingZnorm nearest code by cosine similarity instead of L2 distance
 * @param quantConvKs kernel size of {@code quant_conv} / {@code post_quant_conv}
 * @param quantResi phi's residual ratio r: phi(h) = (1-|r|) h + |r| conv(h); |r| &lt;= 1e-6 makes phi
 *     the identity
 * @param shareQuantResi 0: one phi per scale; 1: one phi for all scales; n &gt; 1: n phis shared by
 *     nearest tick
 * @param defaultQresiCounts number of phis when {@code share_quant_resi} is 0 (0: one per scale)
 * @param vPatchNums the scale schedule: side of each scale's token map, small to large; the last one
 *     is the latent side
 * @param testMode VAR freezes the model in test mode (informational here)
 */
public record VQVAEConfig(
        int vocabSize,
        int zChannels,
        int ch,
        List<Integer> chMult,
        int numResBlocks,
        boolean usingSa,
        boolean usingMidSa,
        double dropout,
        double beta,
        boolean usingZnorm,
        int quantConvKs,
        double quantResi,
        int shareQuantResi,
        int defaultQresiCounts,
        List<Integer> vPatchNums,
        boolean testMode) {

    /** VAR's {@code Normalize}: every norm of the encoder and decoder has 32 groups. */
    public static final int NORM_GROUPS = 32;

    /** Channels of the images (VAR hard-codes 3). */
    public static final int IMAGE_CHANNELS = 3;

    /** Validates the combination; called by the canonical constructor. */
    public VQVAEConfig {
        chMult = List.copyOf(chMult);
        vPatchNums = List.copyOf(vPatchNums);
        requirePositive("vocab_size", vocabSize);
        requirePositive("z_channels", zChannels);
        requirePositive("ch", ch);
        requirePositive("num_res_blocks", numResBlocks);
        if (chMult.isEmpty()) {
            throw new IllegalArgumentException("ch_mult must not be empty");
        }
        if (ch % NORM_GROUPS != 0) {
            throw new IllegalArgumentException(
                    "ch " + ch + " is not divisible by the " + NORM_GROUPS + " GroupNorm groups");
        }
        for (int m : chMult) {
            requirePositive("ch_mult", m);
            if ((long) ch * m % NORM_GROUPS != 0) {
                throw new IllegalArgumentException(
                        "ch_mult entry " + m + " gives " + (ch * m) + " channels, not divisible by "
                                + NORM_GROUPS + " GroupNorm groups");
            }
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (!Double.isFinite(beta)) {
            throw new IllegalArgumentException("beta must be a finite number, got " + beta);
        }
        if (quantConvKs <= 0 || quantConvKs % 2 == 0) {
            throw new IllegalArgumentException("quant_conv_ks must be a positive odd number, got " + quantConvKs);
        }
        if (!Double.isFinite(quantResi) || Math.abs(quantResi) > 1) {
            throw new IllegalArgumentException("quant_resi must be in [-1, 1], got " + quantResi);
        }
        if (shareQuantResi < 0) {
            throw new IllegalArgumentException("share_quant_resi must be >= 0, got " + shareQuantResi);
        }
        if (defaultQresiCounts < 0) {
            throw new IllegalArgumentException("default_qresi_counts must be >= 0, got " + defaultQresiCounts);
        }
        checkPatchNums("v_patch_nums", vPatchNums);
    }

    /** VAR's {@code VQVAE()} with no arguments (ch 128, V 4096, Cvae 32, patch nums 1..16). */
    public static VQVAEConfig defaults() {
        return fromJson(new JsonObject());
    }

    /**
     * The released VAR tokenizer {@code vae_ch160v4096z32.pth} (256 px images, 16x16 latents, 10
     * scales, 680 tokens): {@code VQVAE(vocab_size=4096, z_channels=32, ch=160, test_mode=True,
     * share_quant_resi=4, v_patch_nums=(1,2,3,4,5,6,8,10,13,16))}.
     */
    public static VQVAEConfig var256() {
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", 4096);
        o.addProperty("z_channels", 32);
        o.addProperty("ch", 160);
        return fromJson(o);
    }

    /** Reads a JSON file with VQVAE constructor arguments. */
    public static VQVAEConfig fromJson(Path path) {
        return fromJson(JsonFiles.readObject(path, "VQVAE config"));
    }

    /** Builds the config from parsed JSON, with VAR's defaults for absent keys. */
    public static VQVAEConfig fromJson(JsonObject o) {
        return new VQVAEConfig(
                intOr(o, "vocab_size", 4096),
                intOr(o, "z_channels", 32),
                intOr(o, "ch", 128),
                intsOr(o, "ch_mult", List.of(1, 1, 2, 2, 4)),
                intOr(o, "num_res_blocks", 2),
                boolOr(o, "using_sa", true),
                boolOr(o, "using_mid_sa", true),
                doubleOr(o, "dropout", 0.0),
                doubleOr(o, "beta", 0.25),
                boolOr(o, "using_znorm", false),
                intOr(o, "quant_conv_ks", 3),
                doubleOr(o, "quant_resi", 0.5),
                intOr(o, "share_quant_resi", 4),
                intOr(o, "default_qresi_counts", 0),
                intsOr(o, "v_patch_nums", List.of(1, 2, 3, 4, 5, 6, 8, 10, 13, 16)),
                boolOr(o, "test_mode", true));
    }

    /** The configuration under VAR's keys (round-trips through {@link #fromJson(JsonObject)}). */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", vocabSize);
        o.addProperty("z_channels", zChannels);
        o.addProperty("ch", ch);
        o.add("ch_mult", ints(chMult));
        o.addProperty("num_res_blocks", numResBlocks);
        o.addProperty("using_sa", usingSa);
        o.addProperty("using_mid_sa", usingMidSa);
        o.addProperty("dropout", dropout);
        o.addProperty("beta", beta);
        o.addProperty("using_znorm", usingZnorm);
        o.addProperty("quant_conv_ks", quantConvKs);
        o.addProperty("quant_resi", quantResi);
        o.addProperty("share_quant_resi", shareQuantResi);
        o.addProperty("default_qresi_counts", defaultQresiCounts);
        o.add("v_patch_nums", ints(vPatchNums));
        o.addProperty("test_mode", testMode);
        return o;
    }

    private static JsonArray ints(List<Integer> values) {
        JsonArray a = new JsonArray();
        values.forEach(a::add);
        return a;
    }

    /** The same configuration with another scale schedule (e.g. for a larger image size). */
    public VQVAEConfig withPatchNums(List<Integer> patchNums) {
        return new VQVAEConfig(
                vocabSize, zChannels, ch, chMult, numResBlocks, usingSa, usingMidSa, dropout, beta,
                usingZnorm, quantConvKs, quantResi, shareQuantResi, defaultQresiCounts, patchNums, testMode);
    }

    /** The same configuration with other channel multipliers (and so another downsampling factor). */
    public VQVAEConfig withChMult(List<Integer> mult) {
        return new VQVAEConfig(
                vocabSize, zChannels, ch, mult, numResBlocks, usingSa, usingMidSa, dropout, beta,
                usingZnorm, quantConvKs, quantResi, shareQuantResi, defaultQresiCounts, vPatchNums, testMode);
    }

    /** Number of resolution levels. */
    public int levels() {
        return chMult.size();
    }

    /** How much smaller the latent is than the image: 2^(levels-1) (16 for VAR). */
    public int downsample() {
        return 1 << (levels() - 1);
    }

    /** Side of the latent (the last patch number). */
    public int latentSize() {
        return vPatchNums.get(vPatchNums.size() - 1);
    }

    /** Side of the images this schedule tokenizes: latent side times {@link #downsample()}. */
    public int imageSize() {
        return latentSize() * downsample();
    }

    /** Number of scales K. */
    public int scales() {
        return vPatchNums.size();
    }

    /** Tokens over all scales: sum of pn^2 (680 for VAR's 256 px schedule). */
    public int tokenCount() {
        return tokenCount(vPatchNums);
    }

    /** Sum of pn^2 over a schedule. */
    public static int tokenCount(List<Integer> patchNums) {
        int n = 0;
        for (int pn : patchNums) {
            n += pn * pn;
        }
        return n;
    }

    /** Checks a scale schedule: non-empty, positive, strictly increasing. */
    static void checkPatchNums(String key, List<Integer> patchNums) {
        if (patchNums.isEmpty()) {
            throw new IllegalArgumentException(key + " must not be empty");
        }
        int prev = 0;
        for (int pn : patchNums) {
            if (pn <= prev) {
                throw new IllegalArgumentException(
                        key + " must be positive and strictly increasing, got " + patchNums);
            }
            prev = pn;
        }
    }
}
