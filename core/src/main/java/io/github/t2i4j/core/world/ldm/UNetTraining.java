package io.github.t2i4j.core.world.ldm;

import io.github.t2i4j.core.world.HeldOutRenders;
import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.Checkpoints;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.TextEncoder;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.schedulers.SchedulerConfig;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.EMA;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldBatch;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the small SD-layout {@link UNet2DConditionModel} of the embedded latent-diffusion model:
 * epsilon prediction on the frozen {@link VaeTraining VAE}'s scaled latents (16x16x4 for 64x64
 * renders), conditioned on the frozen world CLIP text encoder's last hidden state, with DDPM's
 * simple loss (MSE to the noise) at uniformly drawn timesteps of the {@link #noiseSchedule()}.
 *
 * <p>The training data: with a latent cache (the default), the VAE posterior moments of training
 * samples {@code 0 .. N-1} are encoded once ({@link LatentCache}, kept in the work folder for
 * resumed runs) and each batch draws its samples uniformly from them; without one, micro-batch
 * {@code i} of step {@code k} renders samples {@code (k*c + i) * B ..} of the seeded stream and
 * encodes them with the frozen VAE (a third of the step time on a 2-core CPU). All randomness is
 * drawn in Java from {@link io.github.t2i4j.core.training.MicroBatch#random()}, in this order: the
 * cached sample indices, the caption dropout flags ({@code conditioningDropout}, 10% by default:
 * the caption becomes "", which the tokenizer turns into BOS, EOS and padding, exactly what the
 * pipeline encodes as the unconditional prompt), the timesteps, the VAE posterior noise and the
 * diffusion noise. Nothing comes from the engine's generator, so a resumed run reproduces the
 * uninterrupted one exactly. The VAE and the text encoder are frozen (no gradients, no graph).
 *
 * <p>An EMA of the UNet's weights (diffusers' warm-up decay, power 2/3, capped at {@code
 * emaMaxDecay}) is kept and is what gets saved. At the end the saved (fp16) EMA model is
 * evaluated: the denoising loss on held-out renders at fixed timesteps and noise, and an image
 * grid of held-out prompts ({@code samples.png}).
 */
public final class UNetTraining {
    private static final Logger LOG = LoggerFactory.getLogger(UNetTraining.class);

    /** Timesteps of the training noise schedule. */
    public static final int NUM_TRAIN_TIMESTEPS = 1000;
    /** Timesteps the held-out denoising loss is measured at. */
    static final int[] VALIDATION_TIMESTEPS = {100, 300, 500, 700, 900};

    private UNetTraining() {}

    /**
     * Model size and optimisation settings.
     *
     * @param blockOutChannels UNet channels per level (latent 16x16, 8x8, 4x4 for three levels)
     * @param layersPerBlock resnets per down block (up blocks have one more)
     * @param crossAttention per level: a CrossAttn block (self- and cross-attention transformer) or a plain one
     * @param attentionHeads attention heads of every transformer (diffusers' attention_head_dim)
     * @param normNumGroups GroupNorm groups
     * @param conditioningDropout probability of training a sample on the empty caption
     * @param latentCacheSize training samples whose VAE posterior is encoded once and cached (the
     *     batches are then drawn uniformly from them); 0 encodes every batch's renders instead
     * @param loop steps, batch size, AdamW rate (warm-up, then cosine to a tenth) and weight decay (not
     *     on biases and norms), seed, checkpoint interval, stop-after step and progress bar
     * @param emaMaxDecay the EMA decay's cap (warm-up 1 - (1 + n)^(-2/3) until then)
     * @param validationPerCategory held-out renders per category for the validation loss (0: none)
     * @param samplePrompts held-out prompts drawn into samples.png at the end (0: none)
     */
    public record Options(
            List<Integer> blockOutChannels,
            int layersPerBlock,
            List<Boolean> crossAttention,
            int attentionHeads,
            int normNumGroups,
            double conditioningDropout,
            int latentCacheSize,
            TrainingLoop loop,
            double emaMaxDecay,
            int validationPerCategory,
            int samplePrompts) implements TrainingLoop.Holder<Options> {

        public Options {
            blockOutChannels = List.copyOf(blockOutChannels);
            crossAttention = List.copyOf(crossAttention);
            if (crossAttention.size() != blockOutChannels.size()) {
                throw new IllegalArgumentException("crossAttention needs one entry per level: " + crossAttention
                        + " vs " + blockOutChannels);
            }
            if (!(conditioningDropout >= 0 && conditioningDropout <= 1)) {
                throw new IllegalArgumentException("conditioningDropout must be in [0, 1]: " + conditioningDropout);
            }
            if (latentCacheSize < 0) {
                throw new IllegalArgumentException("latentCacheSize must be >= 0: " + latentCacheSize);
            }
            Objects.requireNonNull(loop, "loop");
        }

        /**
         * The shipped configuration, about 6.7M parameters and 0.68 GFLOP per sample forward:
         *
         * <ul>
         *   <li>block_out_channels (64, 128, 128) at latent 16x16 / 8x8 / 4x4, one resnet per down
         *       block (two per up block), 32 GroupNorm groups;
         *   <li>no attention at 16x16 (256 tokens: the most expensive level, and convolutions
         *       place flat shapes well there); cross-attention transformers (4 heads of 32) at
         *       8x8 and 4x4 and in the mid block, seven in all, where each latent cell sees a
         *       quarter or more of the image: enough to bind "red" to "circle" and "left of" to a
         *       position, which is what the world tests;
         *   <li>one resnet per block rather than SD's two: on a 2-core CPU the step rate is the
         *       budget (0.7 s per batch of 64 with the latent cache vs 1.1 s for two resnets,
         *       10.1M parameters), and more steps help a diffusion model trained from scratch more
         *       than depth at this size;
         *   <li>10% caption dropout; a latent cache of 65,536 training samples (256 MB of fp16
         *       moments, about 11 minutes to encode; 5,000 steps of 64 see each about 5 times);
         *   <li>5,000 steps of batch 64 (one session of the 2-core CPU, about 65 minutes), AdamW 3e-4 (300 warm-up steps, cosine to 3e-5, weight
         *       decay 0.01 off biases and norms), gradient norm clipped to 1, EMA warm-up to 0.9999.
         * </ul>
         */
        public static Options defaults() {
            return new Options(List.of(64, 128, 128), 1, List.of(false, true, true), 4, 32, 0.1, 65_536,
                    new TrainingLoop(5_000, 64, 3e-4, 300, 0.01, 0, 500, 0, true), 0.9999, 8, 8);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(blockOutChannels, layersPerBlock, crossAttention, attentionHeads, normNumGroups,
                    conditioningDropout, latentCacheSize, l, emaMaxDecay, validationPerCategory, samplePrompts);
        }

        public Options withEvaluation(int validationPerCategory, int samplePrompts) {
            return new Options(blockOutChannels, layersPerBlock, crossAttention, attentionHeads, normNumGroups,
                    conditioningDropout, latentCacheSize, loop, emaMaxDecay, validationPerCategory, samplePrompts);
        }

        public Options withLatentCache(int size) {
            return new Options(blockOutChannels, layersPerBlock, crossAttention, attentionHeads, normNumGroups,
                    conditioningDropout, size, loop, emaMaxDecay, validationPerCategory, samplePrompts);
        }

        public Options withLayersPerBlock(int layers) {
            return new Options(blockOutChannels, layers, crossAttention, attentionHeads, normNumGroups,
                    conditioningDropout, latentCacheSize, loop, emaMaxDecay, validationPerCategory, samplePrompts);
        }
    }

    /**
     * What a run produced.
     *
     * @param unetDir the diffusers {@code unet/} folder written (EMA weights)
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param trainSeconds of which the training loop (this call's steps only)
     * @param finalLoss training loss of the last step
     * @param validationLoss held-out denoising MSE of the saved EMA model at {@link
     *     #VALIDATION_TIMESTEPS} (NaN when not measured)
     * @param parameters the UNet's parameter count
     */
    public record Result(
            Path unetDir, long steps, double seconds, double trainSeconds, double finalLoss, double validationLoss,
            long parameters) {}

    /**
     * The training noise schedule, diffusers keys: Stable Diffusion's 1000-step scaled-linear betas
     * (0.00085 to 0.012) with epsilon prediction.
     */
    public static JsonObject noiseSchedule() {
        JsonObject o = new JsonObject();
        o.addProperty("num_train_timesteps", NUM_TRAIN_TIMESTEPS);
        o.addProperty("beta_start", 0.00085);
        o.addProperty("beta_end", 0.012);
        o.addProperty("beta_schedule", "scaled_linear");
        o.addProperty("prediction_type", "epsilon");
        return o;
    }

    /** The forward process the UNet is trained on ({@link DDPMScheduler#addNoise}). */
    public static DDPMScheduler trainingScheduler() {
        JsonObject o = noiseSchedule();
        o.addProperty("_class_name", DDPMScheduler.CLASS_NAME);
        o.addProperty("clip_sample", false);
        return new DDPMScheduler(SchedulerConfig.fromJson(o));
    }

    /**
     * The UNet configuration: diffusers' SD layout at the VAE's latent size and channels, with
     * {@code cross_attention_dim} the text encoder's hidden size.
     */
    public static UNet2DConditionConfig config(Options o, AutoencoderKLConfig vae, int crossAttentionDim) {
        int levels = o.blockOutChannels().size();
        JsonObject c = new JsonObject();
        c.addProperty("sample_size", vae.sampleSize() / vae.latentFactor());
        c.addProperty("in_channels", vae.latentChannels());
        c.addProperty("out_channels", vae.latentChannels());
        JsonArray down = new JsonArray();
        JsonArray up = new JsonArray();
        JsonArray channels = new JsonArray();
        for (int i = 0; i < levels; i++) {
            down.add(o.crossAttention().get(i) ? "CrossAttnDownBlock2D" : "DownBlock2D");
            channels.add(o.blockOutChannels().get(i));
        }
        for (int i = levels - 1; i >= 0; i--) {
            up.add(o.crossAttention().get(i) ? "CrossAttnUpBlock2D" : "UpBlock2D");
        }
        c.add("down_block_types", down);
        c.add("up_block_types", up);
        c.add("block_out_channels", channels);
        c.addProperty("layers_per_block", o.layersPerBlock());
        c.addProperty("attention_head_dim", o.attentionHeads());
        c.addProperty("cross_attention_dim", crossAttentionDim);
        c.addProperty("norm_num_groups", o.normNumGroups());
        return UNet2DConditionConfig.fromJson(c);
    }

    /**
     * Trains (resuming from {@code workDir}'s newest checkpoint when {@code resume}) and writes the
     * EMA UNet to {@code unetDir} (diffusers {@code unet/} folder in fp16, the training log, loss
     * plot and samples.png).
     *
     * @param vaeDir the trained VAE ({@link VaeTraining}), frozen
     * @param worldClipDir the world CLIP (transformers CLIPModel folder with its tokenizer), whose text tower is frozen
     */
    public static Result train(Options o, Path vaeDir, Path worldClipDir, Path unetDir, Path workDir, boolean resume)
            throws IOException {
        return train(o, vaeDir, worldClipDir, unetDir, workDir, resume, null);
    }

    /**
     * As {@link #train(Options, Path, Path, Path, Path, boolean)}, but a fresh run starts from the
     * weights of a trained UNet folder ({@code initFrom}, same config; its EMA weights as saved)
     * instead of a random initialisation: a new optimizer and learning-rate schedule over {@code
     * o.loop().steps()} continue the training of a shipped model. A resumed run ignores it (the checkpoint
     * holds everything).
     */
    public static Result train(Options o, Path vaeDir, Path worldClipDir, Path unetDir, Path workDir, boolean resume,
            Path initFrom) throws IOException {
        Files.createDirectories(unetDir);
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();
        // the text encoder exactly as the exported pipeline will hold it
        Path textDir = workDir.resolve("text_encoder");
        LdmExport.writeTextEncoder(worldClipDir, textDir);
        try (NDManager manager = NDManager.newBaseManager()) {
            AutoencoderKL vae = AutoencoderKL.fromPretrained(vaeDir, manager);
            vae.freezeParameters();
            CLIPTextModel text = CLIPTextModel.fromPretrained(textDir, manager);
            text.freezeParameters();
            UNet2DConditionConfig config = config(o, vae.config(), text.config().hiddenSize());
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            UNet2DConditionModel unet = new UNet2DConditionModel(config);
            unet.initialize(manager, DataType.FLOAT32);
            if (initFrom != null) {
                UNet2DConditionConfig given = UNet2DConditionConfig.fromJson(initFrom.resolve("config.json"));
                if (!given.toJson().equals(config.toJson())) {
                    throw new IllegalArgumentException("--init-from " + initFrom + " has another UNet config than this run: "
                            + given.toJson() + " vs " + config.toJson());
                }
                try (TensorSource weights = Checkpoints.open(initFrom)) {
                    StateDict.load(unet, weights);
                }
                LOG.info("UNet: starting from the weights of {}", initFrom);
            }
            LOG.info("UNet: {} parameters; latents {}x{}x{} (scaling factor {}), context {}x{}",
                    unet.parameterCount(), config.inChannels(), config.sampleSize(), config.sampleSize(),
                    vae.config().scalingFactor(), text.config().maxPositionEmbeddings(), text.config().hiddenSize());
            EMA ema = EMA.of(unet, EMA.Decay.warmup(o.emaMaxDecay(), 2.0 / 3));
            DDPMScheduler noiseSchedule = trainingScheduler();
            WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, vae.config().sampleSize(), null);
            long[] nanos = new long[3]; // render, VAE encode (or cache lookup), text encode
            LatentCache cache = o.latentCacheSize() > 0
                    ? LatentCache.loadOrBuild(vae, vaeDir, data, o.latentCacheSize(), workDir.resolve("latent-cache.safetensors"), manager)
                    : null;
            Trainer.Result run;
            double trainSeconds;
            try (cache; CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(worldClipDir, text.config().maxPositionEmbeddings())) {
                Trainer.LossFunction loss = batch -> {
                    int n = o.loop().batchSize();
                    SplittableRandom rng = batch.random();
                    long a = System.nanoTime();
                    List<String> captions = new ArrayList<>(n);
                    WorldBatch b = null;
                    long[] indices = new long[n];
                    if (cache != null) {
                        for (int i = 0; i < n; i++) {
                            indices[i] = rng.nextLong(cache.size());
                            captions.add(data.example(indices[i]).caption());
                        }
                    } else {
                        long start = (batch.step() * batch.count() + batch.index()) * (long) n;
                        b = data.batch(manager, start, n);
                        captions.addAll(b.captions());
                    }
                    long bTime = System.nanoTime();
                    for (int i = 0; i < n; i++) {
                        if (rng.nextDouble() < o.conditioningDropout()) {
                            captions.set(i, "");
                        }
                    }
                    long[] t = new long[n];
                    for (int i = 0; i < n; i++) {
                        t[i] = rng.nextInt(NUM_TRAIN_TIMESTEPS);
                    }
                    NDArray latents = cache != null ? cache.latents(indices, rng, vae, manager) : latents(vae, b.images(), rng);
                    long c = System.nanoTime();
                    NDArray context = text.forward(tokenizer.encode(captions).inputIds(manager)).lastHiddenState();
                    long d = System.nanoTime();
                    nanos[0] += bTime - a;
                    nanos[1] += c - bTime;
                    nanos[2] += d - c;
                    NDArray noise = LdmData.gaussian(manager, rng, latents.getShape());
                    NDArray timesteps = HostArrays.owned(manager.create(t));
                    NDArray noisy = noiseSchedule.addNoise(latents, noise, timesteps);
                    NDArray pred = unet.forward(noisy, timesteps, context, null);
                    return pred.sub(noise).square().mean();
                };
                long tTrain = System.nanoTime();
                run = Trainer.builder(unet, loss)
                        .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                                .build(unet.namedParameters()))
                        .loop(o.loop(), unetDir, workDir, resume)
                        .clipGradNorm(1.0)
                        .ema(ema)
                        .config(o.toJson())
                        .build()
                        .run();
                trainSeconds = (System.nanoTime() - tTrain) / 1e9;
            }
            long trained = run.endStep() - run.startStep();
            if (trained > 0) {
                LOG.info(String.format(Locale.ROOT,
                        "UNet: %d steps in %.1f s (%.2f s/step), of which data %.2f s/step, latents %.2f s/step,"
                                + " text encode %.2f s/step", trained, trainSeconds, trainSeconds / trained,
                        nanos[0] / 1e9 / trained, nanos[1] / 1e9 / trained, nanos[2] / 1e9 / trained));
            }
            // the EMA weights are the model; keep the training weights in the live parameters
            ema.swap();
            try {
                unet.save(unetDir, Dtype.F16);
            } finally {
                ema.swap();
            }
            UNet2DConditionModel shipped = UNet2DConditionModel.fromPretrained(unetDir, manager);
            shipped.freezeParameters();
            double validation = Double.NaN;
            try (CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(worldClipDir, text.config().maxPositionEmbeddings())) {
                if (o.validationPerCategory() > 0) {
                    validation = validationLoss(shipped, vae, text, tokenizer, o.validationPerCategory(), manager);
                    LOG.info("UNet: held-out denoising loss (EMA, fp16) {}", validation);
                }
            }
            if (o.samplePrompts() > 0) {
                writeSamples(shipped, vae, text, worldClipDir, o.samplePrompts(), unetDir.resolve("samples.png"), manager);
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            return new Result(unetDir, run.endStep(), seconds, trainSeconds, finalLoss, validation, unet.parameterCount());
        }
    }

    /** Scaled latents of images in [-1, 1]: a posterior sample (noise from {@code rng}) times the scaling factor. */
    static NDArray latents(AutoencoderKL vae, NDArray images, SplittableRandom rng) {
        try (DiagonalGaussianDistribution d = vae.encode(images)) {
            try (NDArray eps = LdmData.gaussian(images.getManager(), rng, d.mean().getShape());
                    NDArray z = d.sample(eps)) {
                return vae.scaleLatents(z);
            }
        }
    }

    /**
     * The denoising MSE on the first {@code perCategory} held-out renders of every category, each
     * at every one of {@link #VALIDATION_TIMESTEPS}, with latents from the posterior mode and
     * noise from a fixed seed: comparable between runs and checkpoints.
     */
    static double validationLoss(UNet2DConditionModel unet, AutoencoderKL vae, CLIPTextModel text,
            CLIPTokenizer tokenizer, int perCategory, NDManager manager) {
        List<WorldExample> examples = HeldOutRenders.interleaved(perCategory);
        DDPMScheduler schedule = trainingScheduler();
        SplittableRandom rng = new SplittableRandom(20_240_603L);
        double sum = 0;
        int count = 0;
        int chunk = 32;
        for (int start = 0; start < examples.size(); start += chunk) {
            List<WorldExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
            try (NDManager m = manager.newSubManager()) {
                NDArray images = HeldOutRenders.render(part, vae.config().sampleSize(), m);
                NDArray latents = vae.latentsFromImage(images);
                NDArray context = text.forward(
                        tokenizer.encode(part.stream().map(WorldExample::caption).toList()).inputIds(m)).lastHiddenState();
                for (int t : VALIDATION_TIMESTEPS) {
                    try (NDManager s = m.newSubManager()) {
                        NDArray noise = LdmData.gaussian(s, rng, latents.getShape());
                        long[] ts = new long[part.size()];
                        java.util.Arrays.fill(ts, t);
                        NDArray timesteps = HostArrays.owned(s.create(ts));
                        NDArray pred = unet.forward(schedule.addNoise(latents, noise, timesteps), timesteps, context, null);
                        sum += pred.sub(noise).square().mean().getFloat() * part.size();
                        count += part.size();
                    }
                }
            }
        }
        return sum / count;
    }

    /** Draws the first {@code n} held-out prompts (interleaved categories) with the shipped scheduler's defaults. */
    private static void writeSamples(UNet2DConditionModel unet, AutoencoderKL vae, CLIPTextModel text, Path worldClipDir,
            int n, Path file, NDManager manager) {
        List<WorldExample> examples = HeldOutRenders.interleaved((n + 6) / 7).subList(0, n);
        List<String> prompts = examples.stream().map(WorldExample::caption).toList();
        // the pipeline owns (and closes) its manager and tokenizer, not the models
        StableDiffusionPipeline pipe = new StableDiffusionPipeline(manager.newSubManager(),
                CLIPTokenizer.fromPretrained(worldClipDir, text.config().maxPositionEmbeddings()), TextEncoder.of(text),
                unet, vae, Schedulers.fromConfig(LdmExport.schedulerConfig()));
        try (pipe) {
            GenerationResult r = pipe.generate(GenerationRequest.builder(prompts.toArray(new String[0]))
                    .steps(LdmExport.DEFAULT_STEPS).guidanceScale(5f).seed(0).build());
            List<BufferedImage> images = r.images();
            Images.writePng(Images.grid(images, prompts, Math.min(4, images.size())), file);
        }
    }
}
