package io.github.t2i4j.core.models.vae;

import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Scopes;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.nn.Conv2d;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * diffusers' {@code AutoencoderKL}, the VAE of Stable Diffusion 1.x/2.x and SDXL: {@link
 * Encoder} and {@code quant_conv} map an image in [-1, 1] to a {@link DiagonalGaussianDistribution}
 * over latents 2^(levels-1) times smaller; {@code post_quant_conv} and {@link Decoder} map a latent
 * back to an image. Parameter names are diffusers' own, so a {@code vae/} folder loads as it is.
 *
 * <p>The diffusion model sees latents scaled by {@code scaling_factor} (and shifted or normalised
 * per channel when the config says so): {@link #latentsFromImage} and {@link #imageFromLatents}
 * apply that convention; {@link #encode} and {@link #decode} work on raw latents.
 */
public class AutoencoderKL extends Module {
    private static final Logger LOG = LoggerFactory.getLogger(AutoencoderKL.class);

    /** The weights file of a diffusers {@code vae/} folder. */
    public static final String WEIGHTS_FILE = "diffusion_pytorch_model.safetensors";

    private final AutoencoderKLConfig config;
    private final Encoder encoder;
    private final Decoder decoder;
    private final Conv2d quantConv;
    private final Conv2d postQuantConv;

    /** Builds the architecture (parameters not yet created: load or {@code initialize} next). */
    public AutoencoderKL(AutoencoderKLConfig config) {
        this.config = config;
        List<Integer> ch = config.blockOutChannels();
        int lat = config.latentChannels();
        encoder =
                module(
                        "encoder",
                        new Encoder(
                                config.inChannels(),
                                lat,
                                ch,
                                config.layersPerBlock(),
                                config.normNumGroups(),
                                config.actFn(),
                                true,
                                config.midBlockAddAttention()));
        decoder =
                module(
                        "decoder",
                        new Decoder(
                                lat,
                                config.outChannels(),
                                ch,
                                config.layersPerBlock(),
                                config.normNumGroups(),
                                config.actFn(),
                                config.midBlockAddAttention()));
        quantConv = config.useQuantConv() ? module("quant_conv", new Conv2d(2L * lat, 2L * lat, 1)) : null;
        postQuantConv = config.usePostQuantConv() ? module("post_quant_conv", new Conv2d(lat, lat, 1)) : null;
    }

    /** The architecture of {@code config}, for {@link #initialize(NDManager, DataType)} or loading. */
    public static AutoencoderKL fromConfig(AutoencoderKLConfig config) {
        return new AutoencoderKL(config);
    }

    /** Loads a diffusers {@code vae/} folder ({@code config.json} and {@value #WEIGHTS_FILE}) in float32. */
    public static AutoencoderKL fromPretrained(Path vaeDir, NDManager manager) {
        return fromPretrained(vaeDir, manager, DataType.FLOAT32);
    }

    /** Loads a diffusers {@code vae/} folder with its parameters in {@code type}, strictly by name. */
    public static AutoencoderKL fromPretrained(Path vaeDir, NDManager manager, DataType type) {
        Path configFile = vaeDir.resolve("config.json");
        Path weights = vaeDir.resolve(WEIGHTS_FILE);
        if (!Files.isRegularFile(configFile)) {
            throw new CheckpointException("no config.json in VAE folder " + vaeDir);
        }
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException("no " + WEIGHTS_FILE + " in VAE folder " + vaeDir);
        }
        AutoencoderKL vae = fromConfig(AutoencoderKLConfig.fromJson(configFile));
        try (SafetensorsFile f = SafetensorsFile.open(weights)) {
            vae.loadWeights(f, manager, type);
        }
        LOG.debug("loaded AutoencoderKL from {} ({} parameters)", vaeDir, vae.parameterCount());
        return vae;
    }

    /**
     * Writes a diffusers {@code vae/} folder that {@link #fromPretrained} (and diffusers) loads:
     * {@code config.json} and {@value #WEIGHTS_FILE}, floating-point weights stored as {@code
     * floatType} (e.g. F16 for shipped checkpoints; null keeps each parameter's own type).
     */
    public void save(Path dir, Dtype floatType) {
        config.save(dir);
        StateDict.save(this, dir.resolve(WEIGHTS_FILE), floatType);
    }

    /**
     * Fills the parameters from diffusers-named tensors, accepting the legacy mid-block attention
     * names and 1x1-conv projection weights (see {@link LegacyAttentionBlocks}). Strict: every
     * parameter must be present with its shape and every tensor used.
     */
    public void loadWeights(TensorSource source, NDManager manager, DataType type) {
        StateDict.loadFresh(
                this,
                LegacyAttentionBlocks.squeezeConvWeights(source),
                manager,
                type,
                LegacyAttentionBlocks::rename);
    }

    public AutoencoderKLConfig config() {
        return config;
    }

    public Encoder encoder() {
        return encoder;
    }

    public Decoder decoder() {
        return decoder;
    }

    /** How much smaller latents are than images: 2^(levels-1), 8 for SD and SDXL. */
    public int latentFactor() {
        return config.latentFactor();
    }

    /**
     * Rejects an image size the latent grid cannot represent exactly: both sides must be positive
     * multiples of {@link #latentFactor()}.
     *
     * @throws IllegalArgumentException naming the size and the factor
     */
    public void checkImageSize(long height, long width) {
        int f = latentFactor();
        if (height <= 0 || width <= 0 || height % f != 0 || width % f != 0) {
            throw new IllegalArgumentException(
                    "image size "
                            + height
                            + "x"
                            + width
                            + " (HxW) is not a positive multiple of the VAE's latent factor "
                            + f
                            + "; use e.g. "
                            + Math.max(f, height / f * f)
                            + "x"
                            + Math.max(f, width / f * f));
        }
    }

    /** Encodes [B, in_channels, H, W] images in [-1, 1] to the posterior over raw latents. */
    public DiagonalGaussianDistribution encode(NDArray image) {
        checkInput("image", image, config.inChannels());
        NDArray h = encoder.forward(image);
        NDArray moments = quantConv == null ? h : Scopes.step(h, image, quantConv::forward);
        DiagonalGaussianDistribution d = new DiagonalGaussianDistribution(moments);
        moments.close();
        return d;
    }

    /** Decodes raw (unscaled) latents [B, latent_channels, h, w] to images, roughly in [-1, 1]. */
    public NDArray decode(NDArray z) {
        checkInput("latent", z, config.latentChannels());
        NDArray h = postQuantConv == null ? z : Scopes.step(z, z, postQuantConv::forward);
        NDArray out = decoder.forward(h);
        if (h != z) {
            h.close();
        }
        return out;
    }

    /** Reconstructs images through the posterior's mode, as diffusers' {@code forward}. */
    public NDArray forward(NDArray image) {
        try (DiagonalGaussianDistribution d = encode(image)) {
            return decode(d.mode());
        }
    }

    /**
     * The latents the diffusion model works on, from images in [-1, 1]: the posterior's mode, then
     * {@code (z - shift_factor) * scaling_factor} (or {@code (z - latents_mean) * scaling_factor /
     * latents_std} when the config has per-channel statistics).
     */
    public NDArray latentsFromImage(NDArray image) {
        return latentsFromImage(image, null);
    }

    /**
     * As {@link #latentsFromImage(NDArray)}, but sampling the posterior with noise from {@code rng}
     * (the mode when {@code rng} is null).
     */
    public NDArray latentsFromImage(NDArray image, Random rng) {
        checkInput("image", image, config.inChannels());
        checkImageSize(image.getShape().get(2), image.getShape().get(3));
        try (DiagonalGaussianDistribution d = encode(image)) {
            if (rng == null) {
                return scaleLatents(d.mode());
            }
            try (NDArray z = d.sample(rng)) {
                return scaleLatents(z);
            }
        }
    }

    /** Images from the diffusion model's latents: undoes the scaling of {@link #latentsFromImage}, then decodes. */
    public NDArray imageFromLatents(NDArray latents) {
        checkInput("latent", latents, config.latentChannels());
        try (NDArray z = unscaleLatents(latents)) {
            return decode(z);
        }
    }

    /** Raw latent to the diffusion model's scale (a new array). */
    public NDArray scaleLatents(NDArray z) {
        float s = (float) config.scalingFactor();
        return Scopes.run(
                () -> {
                    if (config.latentsMean() != null) {
                        NDArray mean = channelVector(z, config.latentsMean());
                        NDArray std = channelVector(z, config.latentsStd());
                        return Scalars.mul(z.sub(mean), s).div(std);
                    }
                    return config.shiftFactor() == 0
                            ? Scalars.mul(z, s)
                            : Scalars.mul(z.sub((float) config.shiftFactor()), s);
                });
    }

    /** The diffusion model's latent back to the raw latent (a new array). */
    public NDArray unscaleLatents(NDArray latents) {
        float s = (float) config.scalingFactor();
        return Scopes.run(
                () -> {
                    if (config.latentsMean() != null) {
                        NDArray mean = channelVector(latents, config.latentsMean());
                        NDArray std = channelVector(latents, config.latentsStd());
                        return Scalars.div(latents.mul(std), s).add(mean);
                    }
                    return config.shiftFactor() == 0
                            ? Scalars.div(latents, s)
                            : Scalars.div(latents, s).add((float) config.shiftFactor());
                });
    }

    private static NDArray channelVector(NDArray like, List<Double> values) {
        float[] v = new float[values.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = values.get(i).floatValue();
        }
        return HostArrays.owned(like.getManager().create(v, new Shape(1, v.length, 1, 1))).toType(like.getDataType(), false);
    }

    private static void checkInput(String what, NDArray x, int channels) {
        Shape s = x.getShape();
        if (s.dimension() != 4 || s.get(1) != channels) {
            throw new IllegalArgumentException(
                    "AutoencoderKL expects a " + what + " of shape [B, " + channels + ", H, W], got " + s);
        }
    }

    /** DJL's generic entry point: the first input is an image batch, the output its reconstruction. */
    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore, NDList inputs, boolean training, PairList<String, Object> params) {
        return new NDList(forward(inputs.head()));
    }

    /** [B, in, H, W] to [B, out, H', W'], where each downsampling floors odd sizes as the conv does. */
    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape s = inputShapes[0];
        long h = s.get(2);
        long w = s.get(3);
        for (int i = 1; i < config.levels(); i++) {
            h /= 2;
            w /= 2;
        }
        int f = latentFactor();
        return new Shape[] {new Shape(s.get(0), config.outChannels(), h * f, w * f)};
    }
}
