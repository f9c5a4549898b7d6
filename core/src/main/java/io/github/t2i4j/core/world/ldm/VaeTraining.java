package io.github.t2i4j.core.world.ldm;

import io.github.t2i4j.core.world.HeldOutRenders;
import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.world.Category;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.metrics.ReconstructionError;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.LocalTextureLoss;
import io.github.t2i4j.core.training.ReconstructionLoss;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldBatch;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the small {@link AutoencoderKL} of the embedded latent-diffusion model on world renders:
 * 64x64 RGB in [-1, 1] to 16x16x4 latents (three levels, so a latent factor of 4).
 *
 * <p>The loss is LDM's without the perceptual and adversarial terms (flat-coloured shapes need
 * neither): the mean absolute reconstruction error of a posterior sample, plus {@code klWeight}
 * times the posterior's KL divergence to N(0, I) summed over the latent and divided by the number
 * of pixel values, i.e. LDM's {@code sum(|x - x'|) + kl_weight * KL} per image, scaled by
 * 1/(3*64*64). At LDM's {@code kl_weight} 1e-6 the KL term only keeps the posterior from
 * collapsing to a point; the latents' scale is then whatever the encoder likes, which is what
 * the measured {@code scaling_factor} corrects.
 *
 * <p>Batch {@code k} (micro-batch {@code i} of {@code c}) is samples {@code (k*c + i) * B ..} of
 * the seeded training stream and the posterior noise comes from {@link
 * io.github.t2i4j.core.training.MicroBatch#random()}, so a resumed run sees exactly what an
 * uninterrupted one would. At the end the latent scaling factor (1 / std of posterior samples over
 * {@code scaleSamples} training images, as Stable Diffusion's 0.18215 was measured) is written into
 * the config, and the reconstruction error on held-out renders (posterior mode, as at inference)
 * is measured.
 */
public final class VaeTraining {
    private static final Logger LOG = LoggerFactory.getLogger(VaeTraining.class);

    /** The weights are saved under diffusers' name in a diffusers {@code vae/} folder. */
    public static final String WEIGHTS = AutoencoderKL.WEIGHTS_FILE;

    private VaeTraining() {}

    /**
     * Model size and optimisation settings.
     *
     * @param blockOutChannels channels per level; 3 levels give a latent factor of 4 (64 -> 16)
     * @param layersPerBlock resnets per encoder level (the decoder has one more)
     * @param normNumGroups GroupNorm groups (must divide every channel count)
     * @param latentChannels latent channels
     * @param klWeight weight of the KL term relative to the per-image summed L1 error (LDM's convention)
     * @param gradientWeight weight of the image-gradient term: the mean absolute error of the
     *     horizontal and vertical pixel differences (0: none). It weighs edges and the world's
     *     stripes and dots, a few percent of the pixels, as much as the flat areas
     * @param textureWeight weight of the {@link LocalTextureLoss} (0: none): window statistics of
     *     the pixel differences, which ask for dots where the target has dots even when the latent
     *     does not fix their exact position (a per-pixel error then paints stripes)
     * @param loop steps, batch size (images per step), AdamW rate (warm-up, then cosine to a tenth) and
     *     weight decay (not on biases and norms), seed, checkpoint interval, stop-after step and progress bar
     * @param scaleSamples training images the latent scaling factor is measured on
     * @param heldOutPerCategory held-out renders per category the reconstruction error and the
     *     {@link ReconstructionCeiling} are measured on (200 is the whole held-out set)
     */
    public record Options(
            List<Integer> blockOutChannels,
            int layersPerBlock,
            int normNumGroups,
            int latentChannels,
            double klWeight,
            double gradientWeight,
            double textureWeight,
            TrainingLoop loop,
            int scaleSamples,
            int heldOutPerCategory) implements TrainingLoop.Holder<Options> {

        public Options {
            blockOutChannels = List.copyOf(blockOutChannels);
            Objects.requireNonNull(loop, "loop");
            if (!(klWeight >= 0)) {
                throw new IllegalArgumentException("klWeight must be >= 0: " + klWeight);
            }
            if (!(textureWeight >= 0)) {
                throw new IllegalArgumentException("textureWeight must be >= 0: " + textureWeight);
            }
            if (!(gradientWeight >= 0)) {
                throw new IllegalArgumentException("gradientWeight must be >= 0: " + gradientWeight);
            }
        }

        /**
         * The shipped configuration: block_out_channels (32, 64, 128), one resnet per encoder
         * level, 16 GroupNorm groups, 4 latent channels (about 2.8M parameters); KL weight 1e-6;
         * 2,500 steps of batch 16 (about 0.75 s per step on the 2-core CPU when it is not shared),
         * AdamW 5e-4 (100 warm-up steps, cosine to 5e-5, no weight decay), gradient norm clipped
         * to 1.
         */
        public static Options defaults() {
            return new Options(List.of(32, 64, 128), 1, 16, 4, 1e-6, 0.0, 0.0,
                    new TrainingLoop(2500, 16, 5e-4, 100, 0.0, 0, 250, 0, true), 512, 200);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(blockOutChannels, layersPerBlock, normNumGroups, latentChannels, klWeight,
                    gradientWeight, textureWeight, l, scaleSamples, heldOutPerCategory);
        }

        public Options withLatentChannels(int c) {
            return new Options(blockOutChannels, layersPerBlock, normNumGroups, c, klWeight, gradientWeight,
                    textureWeight, loop, scaleSamples, heldOutPerCategory);
        }

        public Options withGradientWeight(double w) {
            return new Options(blockOutChannels, layersPerBlock, normNumGroups, latentChannels, klWeight, w,
                    textureWeight, loop, scaleSamples, heldOutPerCategory);
        }

        public Options withTextureWeight(double w) {
            return new Options(blockOutChannels, layersPerBlock, normNumGroups, latentChannels, klWeight,
                    gradientWeight, w, loop, scaleSamples, heldOutPerCategory);
        }
    }

    /**
     * What a run produced.
     *
     * @param vaeDir the diffusers {@code vae/} folder written
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param finalLoss training loss of the last step
     * @param scalingFactor the measured latent scaling factor (1 / std)
     * @param latentMean mean of the raw latents the factor was measured on
     * @param latentStd their standard deviation
     * @param heldOutMse mean squared reconstruction error on held-out renders, pixels in [0, 1]
     * @param heldOutPsnr the PSNR of that error, in dB
     * @param heldOutImages held-out renders evaluated
     * @param parameters the VAE's parameter count
     * @param reconstructionCeiling the evaluator's all-correct rate on reconstructions of the
     *     held-out renders per category ({@link ReconstructionCeiling}), the most a UNet on this
     *     VAE can reach; empty when the held-out evaluation is off
     */
    public record Result(
            Path vaeDir,
            long steps,
            double seconds,
            double finalLoss,
            double scalingFactor,
            double latentMean,
            double latentStd,
            double heldOutMse,
            double heldOutPsnr,
            int heldOutImages,
            long parameters,
            Map<String, Double> reconstructionCeiling) {}

    /** The VAE configuration of {@code o}: 64x64 RGB, diffusers' block types, scaling factor 1 until measured. */
    public static AutoencoderKLConfig config(Options o) {
        int levels = o.blockOutChannels().size();
        return new AutoencoderKLConfig(3, 3,
                Collections.nCopies(levels, AutoencoderKLConfig.DOWN_ENCODER_BLOCK),
                Collections.nCopies(levels, AutoencoderKLConfig.UP_DECODER_BLOCK),
                o.blockOutChannels(), o.layersPerBlock(), "silu", o.latentChannels(), o.normNumGroups(),
                SceneRenderer.DEFAULT_SIZE, 1.0, 0.0, null, null, false, true, true, true);
    }

    /**
     * Trains from scratch (resuming from {@code workDir}'s newest checkpoint when {@code resume})
     * and writes the VAE to {@code vaeDir} (config.json with the measured scaling factor, fp16
     * weights, the training log, loss plot and a grid of held-out reconstructions).
     */
    public static Result train(Options o, Path vaeDir, Path workDir, boolean resume) throws IOException {
        return train(o, vaeDir, workDir, resume, null, false);
    }

    /**
     * As {@link #train(Options, Path, Path, boolean)}, but starting from the trained VAE folder
     * {@code initFrom} when it is not null (its config must be this run's, up to the scaling
     * factor). With {@code decoderOnly} the encoder and {@code quant_conv} are frozen and only
     * {@code post_quant_conv} and the decoder are trained, as Stable Diffusion's fine-tuned
     * decoders were: the latents do not change, so a UNet trained on {@code initFrom}'s latents
     * keeps working with the new decoder, and the scaling factor is kept rather than re-measured.
     */
    public static Result train(Options o, Path vaeDir, Path workDir, boolean resume, Path initFrom, boolean decoderOnly)
            throws IOException {
        if (decoderOnly && initFrom == null) {
            throw new IllegalArgumentException("decoder-only training needs a trained VAE to start from (--init-from)");
        }
        Files.createDirectories(vaeDir);
        Files.createDirectories(workDir);
        AutoencoderKLConfig config = config(o);
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            AutoencoderKL vae;
            if (initFrom == null) {
                vae = new AutoencoderKL(config);
                vae.initialize(manager, DataType.FLOAT32);
            } else {
                vae = AutoencoderKL.fromPretrained(initFrom, manager, DataType.FLOAT32);
                AutoencoderKLConfig given = vae.config();
                if (!given.withScalingFactor(1.0).toJson().equals(config.toJson())) {
                    throw new IllegalArgumentException("--init-from " + initFrom + " has another VAE config than this run: "
                            + given.toJson() + " vs " + config.toJson());
                }
                config = given;
                LOG.info("VAE: starting from {}{}", initFrom, decoderOnly ? " (decoder only: encoder and quant_conv frozen)" : "");
            }
            if (decoderOnly) {
                vae.encoder().freezeParameters();
                vae.namedParameters().forEach((name, p) -> {
                    if (name.startsWith("quant_conv.")) {
                        p.freeze(true);
                    }
                });
            }
            LOG.info("VAE: {} parameters, latent {}x{}x{}", vae.parameterCount(), o.latentChannels(),
                    SceneRenderer.DEFAULT_SIZE / config.latentFactor(), SceneRenderer.DEFAULT_SIZE / config.latentFactor());
            WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, SceneRenderer.DEFAULT_SIZE, null);
            float klScale = (float) (o.klWeight() / (3.0 * SceneRenderer.DEFAULT_SIZE * SceneRenderer.DEFAULT_SIZE));
            ReconstructionLoss reconstruction = new ReconstructionLoss(o.gradientWeight(), o.textureWeight());
            Trainer.LossFunction loss = batch -> {
                long start = (batch.step() * batch.count() + batch.index()) * (long) o.loop().batchSize();
                WorldBatch b = data.batch(manager, start, o.loop().batchSize());
                NDArray x = b.images();
                SplittableRandom rng = batch.random();
                DiagonalGaussianDistribution posterior = decoderOnly ? NoGrad.run(() -> vae.encode(x)) : vae.encode(x);
                NDArray eps = LdmData.gaussian(manager, rng, posterior.mean().getShape());
                NDArray total = reconstruction.apply(vae.decode(posterior.sample(eps)), x);
                return o.klWeight() == 0 || decoderOnly ? total : total.add(Scalars.mul(posterior.kl().mean(), klScale));
            };
            JsonObject cfg = o.toJson();
            if (initFrom != null) {
                cfg.addProperty("init_from", initFrom.toString());
                cfg.addProperty("decoder_only", decoderOnly);
            }
            Trainer.Result run = Trainer.builder(vae, loss)
                    .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                            .build(vae.namedParameters()))
                    .loop(o.loop(), vaeDir, workDir, resume)
                    .clipGradNorm(1.0)
                    .config(cfg)
                    .build()
                    .run();
            // the statistics and the evaluation use the weights as shipped (fp16)
            vae.save(vaeDir, Dtype.F16);
            AutoencoderKL shipped = AutoencoderKL.fromPretrained(vaeDir, manager);
            shipped.freezeParameters();
            double[] stats = latentStatistics(shipped, data, o.scaleSamples(), o.loop().seed(), manager);
            double scaling = decoderOnly ? config.scalingFactor() : 1.0 / stats[1];
            config.withScalingFactor(scaling).save(vaeDir);
            double mse = heldOutMse(shipped, o.heldOutPerCategory(), vaeDir.resolve("reconstructions.png"), manager);
            double psnr = 10 * Math.log10(1.0 / mse);
            Map<String, Double> ceiling = ReconstructionCeiling.measure(shipped, List.of(Category.values()),
                    o.heldOutPerCategory(), manager);
            JsonFiles.writeObject(vaeDir.resolve("reconstruction_ceiling.json"), new Gson().toJsonTree(ceiling).getAsJsonObject());
            double seconds = (System.nanoTime() - t0) / 1e9;
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            int evaluated = HeldOutRenders.interleaved(o.heldOutPerCategory()).size();
            LOG.info("VAE: latents mean {} std {} -> scaling_factor {}; held-out MSE {} PSNR {} dB over {} renders; "
                    + "evaluator all-correct on reconstructions {}", stats[0], stats[1], scaling, mse, psnr, evaluated, ceiling);
            return new Result(vaeDir, run.endStep(), seconds, finalLoss, scaling, stats[0], stats[1], mse, psnr,
                    evaluated, vae.parameterCount(), ceiling);
        }
    }

    /**
     * Mean and standard deviation of raw latents (posterior samples, seeded noise) over training
     * images {@code 0 .. n-1} of the stream.
     */
    static double[] latentStatistics(AutoencoderKL vae, WorldDataset data, int n, long seed, NDManager manager) {
        if (n < 1) {
            throw new IllegalArgumentException("need at least one image for the latent statistics");
        }
        double sum = 0;
        double sumSq = 0;
        long count = 0;
        SplittableRandom rng = new SplittableRandom(seed ^ 0x5CA1E5L);
        int chunk = 32;
        for (int start = 0; start < n; start += chunk) {
            int size = Math.min(chunk, n - start);
            try (NDManager m = manager.newSubManager()) {
                WorldBatch b = data.batch(m, start, size);
                try (DiagonalGaussianDistribution d = vae.encode(b.images())) {
                    NDArray z = d.sample(LdmData.gaussian(m, rng, d.mean().getShape()));
                    float[] v = z.toFloatArray();
                    for (float f : v) {
                        sum += f;
                        sumSq += (double) f * f;
                    }
                    count += v.length;
                }
            }
        }
        double mean = sum / count;
        double var = Math.max(sumSq / count - mean * mean, 0);
        return new double[] {mean, Math.sqrt(var)};
    }

    /**
     * Mean squared error (pixels in [0, 1]) of reconstructions through the posterior mode of the
     * first {@code perCategory} held-out renders of every category; writes a grid of the first
     * renders and their reconstructions to {@code grid} (if not null).
     */
    static double heldOutMse(AutoencoderKL vae, int perCategory, Path grid, NDManager manager) {
        List<WorldExample> examples = HeldOutRenders.interleaved(perCategory);
        if (examples.isEmpty()) {
            return Double.NaN;
        }
        ReconstructionError error = new ReconstructionError(grid != null);
        int chunk = 32;
        for (int start = 0; start < examples.size(); start += chunk) {
            List<WorldExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
            try (NDManager m = manager.newSubManager()) {
                NDArray x = HeldOutRenders.render(part, SceneRenderer.DEFAULT_SIZE, m);
                error.add(x, vae.forward(x).clip(-1f, 1f));
            }
        }
        if (grid != null) {
            error.writeGrid(grid);
        }
        return error.mse();
    }
}
