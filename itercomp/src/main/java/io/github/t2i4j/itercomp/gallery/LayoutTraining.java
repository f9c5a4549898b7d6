package io.github.t2i4j.itercomp.gallery;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.TextEncoder;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.EMA;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.HeldOutRenders;
import io.github.t2i4j.core.world.WorldBatch;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSample;
import io.github.t2i4j.core.world.WorldSplit;
import io.github.t2i4j.core.world.ldm.LatentCache;
import io.github.t2i4j.core.world.ldm.LdmData;
import io.github.t2i4j.core.world.ldm.UNetTraining;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains GLIGEN's layers on a trained text-to-image pipeline (the world's {@code models/world-ldm}):
 * a {@link GatedSelfAttentionDense} on every transformer block of its UNet and the {@link
 * PositionNet} are added, the base UNet is frozen, and only the new layers learn, with the
 * ordinary denoising loss (epsilon MSE at uniform timesteps of the base's training schedule,
 * {@link UNetTraining#trainingScheduler()}) on world renders conditioned on their caption and
 * on their scene layout ({@link Layout#fromExample}: the caption's phrase for each object with the
 * rendered box), as GLIGEN trains on grounding data with the base model frozen.
 *
 * <p>The data and randomness follow {@link UNetTraining}: a latent cache of the VAE posterior of
 * training samples {@code 0 .. N-1} in the work folder ({@link LatentCache}), or else rendering
 * and encoding every batch; all random draws in Java from the trainer's per-step stream, in this
 * order: sample indices, caption dropout flags (the caption becomes ""), grounding dropout flags
 * (the layout becomes empty: null tokens only, GLIGEN's unconditional grounding), timesteps,
 * posterior noise, diffusion noise. A resumed run reproduces the uninterrupted one exactly.
 * An EMA of the GLIGEN layers is kept and is what gets saved, as a diffusers GLIGEN UNet folder
 * ({@link GligenUNet#save}, fp16). The saved model is then evaluated on held-out renders: the
 * denoising loss with their layouts and, for comparison, the base UNet's (no grounding).
 */
public final class LayoutTraining {
    private static final Logger LOG = LoggerFactory.getLogger(LayoutTraining.class);

    /** Timesteps the held-out denoising loss is measured at (as the base UNet's job). */
    static final int[] VALIDATION_TIMESTEPS = {100, 300, 500, 700, 900};

    private LayoutTraining() {}

    /** Whether {@code name} is a fuser's gate ({@code ...fuser.alpha_attn} or {@code ...fuser.alpha_dense}). */
    static boolean isGate(String name) {
        return name.endsWith(".alpha_attn") || name.endsWith(".alpha_dense");
    }

    /**
     * Settings.
     *
     * @param captionDropout probability of training a sample on the empty caption
     * @param groundingDropout probability of training a sample on the empty layout
     * @param maxObjects grounding slots per image (the world's scenes have at most 3 objects)
     * @param latentCacheSize training samples whose VAE posterior is cached (0: encode every batch)
     * @param loop steps, samples per step, AdamW rate (warm-up, then cosine to a tenth) and weight decay
     *     (not on biases and norms), seed, checkpoint interval, stop-after step and progress bar
     * @param emaMaxDecay the EMA decay's cap
     * @param gateLearningRateScale how much faster than the other new parameters the fusers' gates
     *     ({@code alpha_attn}, {@code alpha_dense}) learn: the gates start at zero and decide alone
     *     whether the new layers act at all; at GLIGEN's rate they need its hundreds of thousands of
     *     steps to open (trained at 1x for 3,000 steps, the world's gates stayed within 0.05)
     * @param validationPerCategory held-out renders per category for the validation loss (0: none)
     * @param samplePrompts held-out prompts drawn into samples.png at the end (0: none)
     */
    public record Options(
            double captionDropout,
            double groundingDropout,
            int maxObjects,
            int latentCacheSize,
            TrainingLoop loop,
            double emaMaxDecay,
            double gateLearningRateScale,
            int validationPerCategory,
            int samplePrompts) implements TrainingLoop.Holder<Options> {

        public Options {
            if (!(captionDropout >= 0 && captionDropout <= 1) || !(groundingDropout >= 0 && groundingDropout <= 1)) {
                throw new IllegalArgumentException("dropout probabilities must be in [0, 1]: " + captionDropout + ", "
                        + groundingDropout);
            }
            if (maxObjects < 1) {
                throw new IllegalArgumentException("maxObjects must be positive: " + maxObjects);
            }
            if (latentCacheSize < 0) {
                throw new IllegalArgumentException("latentCacheSize must be >= 0: " + latentCacheSize);
            }
            Objects.requireNonNull(loop, "loop");
            if (!(gateLearningRateScale > 0) || Double.isInfinite(gateLearningRateScale)) {
                throw new IllegalArgumentException("gateLearningRateScale must be positive: " + gateLearningRateScale);
            }
        }

        /**
         * A run for the world pipeline: 10% caption and 10% grounding dropout (for classifier-free
         * guidance on both), 4 grounding slots, the base job's 65,536-sample latent cache, 3,000
         * steps of batch 32 at AdamW 1e-4 (100 warm-up steps, cosine to 1e-5, no weight decay,
         * as GLIGEN trains its layers), gradient norm clipped to 1, EMA warm-up to 0.999.
         */
        public static Options defaults() {
            return new Options(0.1, 0.1, 4, 65_536, new TrainingLoop(3_000, 32, 1e-4, 100, 0.0, 0, 500, 0, true), 0.999,
                    100, 8, 8);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(captionDropout, groundingDropout, maxObjects, latentCacheSize, l, emaMaxDecay,
                    gateLearningRateScale, validationPerCategory, samplePrompts);
        }

        /** With {@code size} training samples in the latent cache (0: encode every batch). */
        public Options withLatentCache(int size) {
            return new Options(captionDropout, groundingDropout, maxObjects, size, loop, emaMaxDecay,
                    gateLearningRateScale, validationPerCategory, samplePrompts);
        }

        /** With the fusers' gates learning {@code scale} times faster than the other new parameters. */
        public Options withGateLearningRateScale(double scale) {
            return new Options(captionDropout, groundingDropout, maxObjects, latentCacheSize, loop, emaMaxDecay, scale,
                    validationPerCategory, samplePrompts);
        }

        public Options withEvaluation(int validation, int samples) {
            return new Options(captionDropout, groundingDropout, maxObjects, latentCacheSize, loop, emaMaxDecay,
                    gateLearningRateScale, validation, samples);
        }
    }

    /**
     * What a run produced.
     *
     * @param gligenDir the GLIGEN UNet folder written (EMA weights)
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param trainSeconds of which the training loop
     * @param finalLoss training loss of the last step
     * @param validationLoss held-out denoising MSE of the saved model with the renders' layouts (NaN: not measured)
     * @param baseValidationLoss the same for the base UNet, without grounding (NaN: not measured)
     * @param trainableParameters parameters of the GLIGEN layers
     */
    public record Result(Path gligenDir, long steps, double seconds, double trainSeconds, double finalLoss,
            double validationLoss, double baseValidationLoss, long trainableParameters) {}

    /**
     * Trains (resuming from {@code workDir}'s newest checkpoint when {@code resume}) and writes the
     * GLIGEN UNet to {@code gligenDir} (config, fp16 EMA weights, metrics, loss plot, samples).
     *
     * @param pipelineDir the base text-to-image pipeline (diffusers StableDiffusionPipeline folder:
     *     {@code unet/}, {@code vae/}, {@code text_encoder/}, {@code tokenizer/}, {@code scheduler/}), frozen
     */
    public static Result train(Options o, Path pipelineDir, Path gligenDir, Path workDir, boolean resume) throws IOException {
        Files.createDirectories(gligenDir);
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();
        Path vaeDir = pipelineDir.resolve("vae");
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.fromPretrained(vaeDir, manager);
            vae.freezeParameters();
            CLIPTextModel text = CLIPTextModel.fromPretrained(pipelineDir.resolve("text_encoder"), manager);
            text.freezeParameters();
            UNet2DConditionModel base = UNet2DConditionModel.fromPretrained(pipelineDir.resolve("unet"), manager);
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            GligenUNet gligen = GligenUNet.attach(base, manager);
            gligen.freezeBase();
            long trainable = gligen.groundingParameters().values().stream().mapToLong(p -> p.getArray().size()).sum();
            LOG.info("GLIGEN: {} trainable parameters ({} fusers, position_net) on a frozen UNet of {}",
                    trainable, gligen.fusers().size(), base.parameterCount());
            EMA ema = new EMA(gligen.groundingParameters(), EMA.Decay.warmup(o.emaMaxDecay(), 2.0 / 3));
            DDPMScheduler noiseSchedule = UNetTraining.trainingScheduler();
            WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, vae.config().sampleSize(), null);
            LatentCache cache = o.latentCacheSize() > 0
                    ? LatentCache.loadOrBuild(vae, vaeDir, data, o.latentCacheSize(),
                            workDir.resolve("latent-cache.safetensors"), manager)
                    : null;
            int positions = text.config().maxPositionEmbeddings();
            Trainer.Result run;
            double trainSeconds;
            try (cache; CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(pipelineDir.resolve("tokenizer"), positions)) {
                GroundingEncoder encoder = new GroundingEncoder(tokenizer, TextEncoder.of(text), o.maxObjects());
                Trainer.LossFunction loss = batch -> {
                    int n = o.loop().batchSize();
                    SplittableRandom rng = batch.random();
                    List<WorldExample> examples = new ArrayList<>(n);
                    long[] indices = new long[n];
                    WorldBatch b = null;
                    if (cache != null) {
                        for (int i = 0; i < n; i++) {
                            indices[i] = rng.nextLong(cache.size());
                            examples.add(data.example(indices[i]));
                        }
                    } else {
                        long start = (batch.step() * batch.count() + batch.index()) * (long) n;
                        b = data.batch(manager, start, n);
                        b.samples().stream().map(WorldSample::example).forEach(examples::add);
                    }
                    List<String> captions = new ArrayList<>(n);
                    for (WorldExample e : examples) {
                        captions.add(rng.nextDouble() < o.captionDropout() ? "" : e.caption());
                    }
                    List<Layout> layouts = new ArrayList<>(n);
                    for (WorldExample e : examples) {
                        layouts.add(rng.nextDouble() < o.groundingDropout() ? Layout.EMPTY : Layout.fromExample(e));
                    }
                    long[] t = new long[n];
                    for (int i = 0; i < n; i++) {
                        t[i] = rng.nextInt(UNetTraining.NUM_TRAIN_TIMESTEPS);
                    }
                    NDArray latents = cache != null
                            ? cache.latents(indices, rng, vae, manager)
                            : posteriorSample(vae, b.images(), rng);
                    NDArray context = text.forward(tokenizer.encode(captions).inputIds(manager)).lastHiddenState();
                    GroundingInput grounding = encoder.encode(layouts, manager);
                    NDArray noise = LdmData.gaussian(manager, rng, latents.getShape());
                    NDArray timesteps = HostArrays.owned(manager.create(t));
                    NDArray noisy = noiseSchedule.addNoise(latents, noise, timesteps);
                    NDArray pred = gligen.forward(noisy, timesteps, context, grounding);
                    return pred.sub(noise).square().mean();
                };
                JsonObject cfg = o.toJson();
                cfg.addProperty("base_pipeline", pipelineDir.toAbsolutePath().toString());
                long tTrain = System.nanoTime();
                run = Trainer.builder(gligen, loss)
                        .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                                .learningRateScale(name -> isGate(name) ? o.gateLearningRateScale() : 1.0)
                                .build(gligen.groundingParameters()))
                        .loop(o.loop(), gligenDir, workDir, resume)
                        .clipGradNorm(1.0)
                        .ema(ema)
                        .config(cfg)
                        .build()
                        .run();
                trainSeconds = (System.nanoTime() - tTrain) / 1e9;
            }
            long trained = run.endStep() - run.startStep();
            if (trained > 0) {
                LOG.info(String.format(Locale.ROOT, "GLIGEN: %d steps in %.1f s (%.2f s/step)", trained, trainSeconds,
                        trainSeconds / trained));
            }
            ema.swap();
            try {
                gligen.save(gligenDir, Dtype.F16);
            } finally {
                ema.swap();
            }
            GligenUNet shipped = GligenUNet.fromPretrained(gligenDir, manager);
            shipped.freezeParameters();
            double validation = Double.NaN;
            double baseValidation = Double.NaN;
            if (o.validationPerCategory() > 0) {
                try (CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(pipelineDir.resolve("tokenizer"), positions)) {
                    GroundingEncoder encoder = new GroundingEncoder(tokenizer, TextEncoder.of(text), o.maxObjects());
                    double[] v = validationLoss(shipped, vae, text, tokenizer, encoder, o.validationPerCategory(), manager);
                    validation = v[0];
                    baseValidation = v[1];
                    LOG.info("GLIGEN: held-out denoising loss {} with layouts, {} for the base UNet", validation,
                            baseValidation);
                }
            }
            if (o.samplePrompts() > 0) {
                writeSamples(shipped, vae, text, pipelineDir, o, gligenDir.resolve("samples.png"), manager);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            return new Result(gligenDir, run.endStep(), seconds, trainSeconds, finalLoss, validation, baseValidation,
                    trainable);
        }
    }

    /** Scaled latents of images in [-1, 1]: a posterior sample with noise from {@code rng}. */
    private static NDArray posteriorSample(AutoencoderKL vae, NDArray images, SplittableRandom rng) {
        try (var d = vae.encode(images)) {
            try (NDArray eps = LdmData.gaussian(images.getManager(), rng, d.mean().getShape());
                    NDArray z = d.sample(eps)) {
                return vae.scaleLatents(z);
            }
        }
    }

    /**
     * The denoising MSE on the first {@code perCategory} held-out renders of every category at
     * each of {@link #VALIDATION_TIMESTEPS}, latents from the posterior mode and noise from a fixed
     * seed: {@code [with the renders' layouts, base UNet without grounding]}, on the same noise.
     */
    static double[] validationLoss(GligenUNet gligen, AutoencoderKL vae, CLIPTextModel text, CLIPTokenizer tokenizer,
            GroundingEncoder encoder, int perCategory, NDManager manager) {
        List<WorldExample> examples = HeldOutRenders.interleaved(perCategory);
        DDPMScheduler schedule = UNetTraining.trainingScheduler();
        SplittableRandom rng = new SplittableRandom(20_240_603L);
        double grounded = 0;
        double plain = 0;
        int count = 0;
        int chunk = 32;
        for (int start = 0; start < examples.size(); start += chunk) {
            List<WorldExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
            try (NDManager m = manager.newSubManager()) {
                NDArray latents = vae.latentsFromImage(HeldOutRenders.render(part, vae.config().sampleSize(), m));
                NDArray context = text.forward(
                        tokenizer.encode(part.stream().map(WorldExample::caption).toList()).inputIds(m)).lastHiddenState();
                GroundingInput grounding = encoder.encode(part.stream().map(Layout::fromExample).toList(), m);
                for (int t : VALIDATION_TIMESTEPS) {
                    try (NDManager s = m.newSubManager()) {
                        NDArray noise = LdmData.gaussian(s, rng, latents.getShape());
                        long[] ts = new long[part.size()];
                        Arrays.fill(ts, t);
                        NDArray timesteps = HostArrays.owned(s.create(ts));
                        NDArray noisy = schedule.addNoise(latents, noise, timesteps);
                        grounded += gligen.forward(noisy, timesteps, context, grounding).sub(noise).square().mean()
                                .getFloat() * part.size();
                        plain += gligen.forward(noisy, timesteps, context, (GroundingInput) null).sub(noise).square()
                                .mean().getFloat() * part.size();
                        count += part.size();
                    }
                }
            }
        }
        return new double[] {grounded / count, plain / count};
    }

    /** Draws held-out prompts with the saved model and the grammar planner, as a grid. */
    private static void writeSamples(GligenUNet gligen, AutoencoderKL vae, CLIPTextModel text, Path pipelineDir,
            Options o, Path file, NDManager manager) {
        int n = o.samplePrompts();
        List<String> prompts = HeldOutRenders.interleaved((n + 6) / 7).subList(0, n).stream()
                .map(WorldExample::caption).toList();
        // the base pipeline owns (and closes) its manager and tokenizer, not the models
        StableDiffusionPipeline pipe = new StableDiffusionPipeline(manager.newSubManager(),
                CLIPTokenizer.fromPretrained(pipelineDir.resolve("tokenizer"), text.config().maxPositionEmbeddings()),
                TextEncoder.of(text), gligen.unet(), vae,
                Schedulers.fromConfigOrDefault(pipelineDir.resolve("scheduler/scheduler_config.json")));
        LayoutGenerator.Settings s = LayoutGenerator.Settings.defaults();
        try (LayoutGenerator g = new LayoutGenerator("gligen", pipe, gligen, new GrammarPlanner(),
                new LayoutGenerator.Settings(s.steps(), s.guidanceScale(), s.scheduledSamplingBeta(), o.maxObjects(), null))) {
            List<BufferedImage> images = g.generate(prompts, 0);
            Images.writePng(Images.grid(images, prompts, Math.min(4, images.size())), file);
        }
    }
}
