package io.github.t2i4j.suti.training;

import io.github.t2i4j.suti.experts.Gaussian;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.EMA;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.suti.model.DemonstrationFeatures;
import io.github.t2i4j.suti.model.ImageTensors;
import io.github.t2i4j.suti.model.SuTIConfig;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.model.SuTIRequest;
import io.github.t2i4j.suti.model.SuTIUNet;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link SuTIUNet} on (demonstrations, prompt, target) examples from an {@link
 * ApprenticeshipSource}: the denoising loss of the target image given the prompt and the
 * demonstrations, on top of a trained base Stable Diffusion pipeline folder ({@code models/world-ldm}
 * layout) whose VAE and text encoder stay frozen.
 *
 * <p>Each micro-batch draws, in this order from its Java generator ({@link
 * io.github.t2i4j.core.training.MicroBatch#random()}): the example indices (uniform), the number of
 * demonstrations K (uniform in [{@code minDemonstrations}, {@code maxDemonstrations}], at most what
 * every drawn example has) and each example's K demonstrations (a random subset), each example's
 * {@link ConditionDropout} (10% text and demonstrations, 10% demonstrations only), the timesteps
 * (uniform over the training schedule), the target's VAE posterior noise and the diffusion noise.
 * Demonstrations are encoded with the VAE's posterior mode (as the pipeline does) and the UNet's own
 * encoder ({@link SuTIUNet#encodeDemonstrations}); dropped demonstrations are zero features, a dropped
 * text is the empty caption. Nothing comes from the engine's generator, so a resumed run reproduces
 * the uninterrupted one exactly.
 *
 * <p>By default only the neighbour layers train (the base UNet frozen: a fresh SuTI UNet is the base
 * model, and the denoiser's feature space the demonstrations are read in stays fixed); with {@code
 * baseLearningRate > 0} the base UNet trains too at that lower rate. The optimizer is AdamW with
 * warm-up and cosine decay, gradient clipping at 1, and an EMA of the trained weights that is what
 * gets saved. At the end the saved model is evaluated on held-out examples: the denoising loss with
 * and without the demonstrations at fixed timesteps and noise (their difference is what the
 * demonstrations are worth), and a grid of generations ({@code samples.png}: each row the
 * demonstrations, the real target and the SuTI image).
 */
public final class SuTITraining {
    private static final Logger LOG = LoggerFactory.getLogger(SuTITraining.class);

    /** Timesteps the held-out denoising loss is measured at. */
    static final int[] VALIDATION_TIMESTEPS = {100, 300, 500, 700, 900};
    /** Seed of the held-out loss's noise. */
    static final long VALIDATION_SEED = 20_240_603L;

    private SuTITraining() {}

    /**
     * The run's settings.
     *
     * @param model where the neighbour layers go, their heads, the demonstration timestep
     * @param minDemonstrations fewest demonstrations per example (drawn per micro-batch)
     * @param maxDemonstrations most demonstrations per example
     * @param dropout the conditioning dropout
     * @param loop steps, examples per step, peak AdamW rate of the neighbour layers (warm-up, then cosine to
     *     a tenth) and weight decay (not on biases and norms), data, noise and neighbour-layer initialisation
     *     seed, checkpoint interval, stop-after step and progress bar
     * @param baseLearningRate peak rate of the base UNet's weights; 0 keeps them frozen
     * @param emaMaxDecay cap of the EMA decay (warm-up 1 - (1 + n)^(-2/3) until then)
     * @param validationExamples held-out examples of the validation loss (0: none)
     * @param samples held-out examples drawn into samples.png at the end (0: none)
     * @param sampleSteps sampling steps of those images
     * @param subjectLossWeight extra weight of the target's subject in the denoising loss: each latent
     *     position weighs {@code 1 + w * coverage} (the subject's pixel coverage in the target, found
     *     from its pixels by {@code LocatedSubject} and pooled to the latent grid), normalised to a mean
     *     of one per example; 0 is the paper's plain MSE. A small subject is a few latent positions, so
     *     its pattern, the one thing only the demonstrations tell, is a small part of a plain MSE.
     */
    public record Options(
            SuTIConfig model,
            int minDemonstrations,
            int maxDemonstrations,
            ConditionDropout dropout,
            TrainingLoop loop,
            double baseLearningRate,
            double emaMaxDecay,
            int validationExamples,
            int samples,
            int sampleSteps,
            double subjectLossWeight) implements TrainingLoop.Holder<Options> {

        public Options {
            java.util.Objects.requireNonNull(model, "model");
            java.util.Objects.requireNonNull(dropout, "dropout");
            java.util.Objects.requireNonNull(loop, "loop");
            if (minDemonstrations < 1 || maxDemonstrations < minDemonstrations) {
                throw new IllegalArgumentException("need 1 <= minDemonstrations <= maxDemonstrations: " + minDemonstrations
                        + ", " + maxDemonstrations);
            }
            if (!(loop.learningRate() > 0) || !(baseLearningRate >= 0)) {
                throw new IllegalArgumentException("learningRate must be > 0 and baseLearningRate >= 0: "
                        + loop.learningRate() + ", " + baseLearningRate);
            }
            if (!(subjectLossWeight >= 0)) {
                throw new IllegalArgumentException("subjectLossWeight must be >= 0: " + subjectLossWeight);
            }
            if (validationExamples < 0 || samples < 0 || sampleSteps < 1) {
                throw new IllegalArgumentException("bad evaluation settings: " + validationExamples + ", " + samples + ", "
                        + sampleSteps);
            }
        }

        /**
         * Starting settings (not tuned yet): one neighbour layer at the bottleneck, 3 to 5
         * demonstrations, the paper's 10% + 10% dropout, 3,000 steps of 16 examples at 1e-4 (100
         * warm-up steps, cosine to 1e-5), base frozen, EMA to 0.999, 64 held-out examples and 8
         * sample rows at 20 steps.
         */
        public static Options defaults() {
            return new Options(SuTIConfig.defaults(), 3, 5, ConditionDropout.defaults(),
                    new TrainingLoop(3_000, 16, 1e-4, 100, 0.01, 0, 250, 0, true), 0, 0.999, 64, 8, 20, 0);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(model, minDemonstrations, maxDemonstrations, dropout, l, baseLearningRate, emaMaxDecay,
                    validationExamples, samples, sampleSteps, subjectLossWeight);
        }

        public Options withDropout(ConditionDropout d) {
            return new Options(model, minDemonstrations, maxDemonstrations, d, loop, baseLearningRate, emaMaxDecay,
                    validationExamples, samples, sampleSteps, subjectLossWeight);
        }

        /** The neighbour layers' rate and the base UNet's (0: frozen). */
        public Options withLearningRates(double neighbours, double base) {
            return new Options(model, minDemonstrations, maxDemonstrations, dropout, loop.withLearningRate(neighbours),
                    base, emaMaxDecay, validationExamples, samples, sampleSteps, subjectLossWeight);
        }

        /** Held-out examples of the validation loss, sample rows, and their sampling steps (0, 0: no evaluation). */
        public Options withEvaluation(int validation, int sampleRows, int samplingSteps) {
            return new Options(model, minDemonstrations, maxDemonstrations, dropout, loop, baseLearningRate, emaMaxDecay,
                    validation, sampleRows, samplingSteps, subjectLossWeight);
        }

        /** The subject's extra weight in the denoising loss (0: plain MSE). */
        public Options withSubjectLossWeight(double w) {
            return new Options(model, minDemonstrations, maxDemonstrations, dropout, loop, baseLearningRate, emaMaxDecay,
                    validationExamples, samples, sampleSteps, w);
        }

        /** The run's settings as JSON (stored in the checkpoints). */
        @Override
        public JsonObject toJson() {
            JsonObject o = TrainingLoop.Holder.super.toJson();
            o.add("model", model.toJson());
            o.addProperty("subject_loss_weight", subjectLossWeight);
            return o;
        }
    }

    /**
     * What a run produced.
     *
     * @param sutiDir the SuTI UNet folder written (EMA weights, fp16)
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param trainSeconds of which the training loop (this call's steps only)
     * @param finalLoss training loss of the last step
     * @param validationLoss held-out denoising MSE with the demonstrations (NaN when not measured)
     * @param validationLossWithoutDemos the same with the demonstrations dropped (NaN when not measured)
     * @param trainableParameters parameters the optimizer updated
     */
    public record Result(
            Path sutiDir, long steps, double seconds, double trainSeconds, double finalLoss, double validationLoss,
            double validationLossWithoutDemos, long trainableParameters) {}

    /**
     * Trains (resuming from {@code workDir}'s newest checkpoint when {@code resume}) and writes the
     * EMA SuTI UNet to {@code sutiDir} with the metrics log, the loss plot and samples.png.
     *
     * @param baseDir the base StableDiffusionPipeline folder (e.g. {@code models/world-ldm})
     * @param data the training examples
     * @param validation held-out examples for the evaluation at the end (null: none)
     */
    public static Result train(Options o, Path baseDir, ApprenticeshipSource data, ApprenticeshipSource validation,
            Path sutiDir, Path workDir, boolean resume) throws IOException {
        Files.createDirectories(sutiDir);
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();
        DiffusionPipeline loaded = DiffusionPipelines.load(baseDir, Engine.getInstance().defaultDevice());
        if (!(loaded instanceof StableDiffusionPipeline base)) {
            loaded.close();
            throw new IllegalArgumentException("SuTI trains on a StableDiffusionPipeline base, " + baseDir + " holds a "
                    + loaded.getClass().getSimpleName());
        }
        try (base; NDManager manager = NDManager.newBaseManager(Engine.getInstance().defaultDevice())) {
            AutoencoderKL vae = base.vae();
            vae.freezeParameters();
            base.textEncoder().model().freezeParameters();
            SuTIUNet suti = SuTIUNet.fromBase(base.unet(), o.model(), o.loop().seed());
            Set<String> neighbours = suti.neighborParameters().keySet();
            if (o.baseLearningRate() == 0) {
                suti.unet().namedParameters().forEach((name, p) -> p.freeze(!neighbours.contains(name)));
            }
            double baseScale = o.baseLearningRate() / o.loop().learningRate();
            AdamW optimizer = AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                    .learningRateScale(name -> neighbours.contains(name) ? 1.0 : baseScale)
                    .build(suti.unet().namedParameters());
            Map<String, Parameter> trainable = optimizer.parameters();
            long trainableCount = trainable.values().stream().mapToLong(p -> p.getArray().size()).sum();
            EMA ema = new EMA(trainable, EMA.Decay.warmup(o.emaMaxDecay(), 2.0 / 3));
            DDPMScheduler noiseSchedule = new DDPMScheduler(base.scheduler().config());
            String prediction = noiseSchedule.config().predictionType();
            if (!prediction.equals("epsilon") && !prediction.equals("v_prediction")) {
                throw new IllegalArgumentException("training needs epsilon or v_prediction, not " + prediction);
            }
            LOG.info("SuTI: training {} parameters ({}) on {}; base {}", trainableCount,
                    o.baseLearningRate() == 0 ? "neighbour layers" : "neighbour layers and base UNet", data.describe(),
                    baseDir);
            Batches batches = new Batches(base, suti, o, manager);
            Trainer.LossFunction loss = batch -> {
                SplittableRandom rng = batch.random();
                Batch b = batches.draw(data, rng);
                long[] t = new long[b.size()];
                for (int i = 0; i < t.length; i++) {
                    t[i] = rng.nextInt(noiseSchedule.config().numTrainTimesteps());
                }
                NDArray targets = batches.targetLatents(b.targets(), rng);
                DemonstrationFeatures demos = batches.demonstrationFeatures(b);
                NDArray text = base.encode(manager, b.prompts());
                NDArray noise = Gaussian.of(manager, rng, targets.getShape());
                NDArray timesteps = HostArrays.owned(manager.create(t));
                NDArray noisy = noiseSchedule.addNoise(targets, noise, timesteps);
                NDArray target = prediction.equals("epsilon") ? noise : noiseSchedule.velocity(targets, noise, timesteps);
                NDArray pred = suti.forward(noisy, timesteps, text, demos);
                NDArray squared = pred.sub(target).square();
                if (o.subjectLossWeight() == 0) {
                    return squared.mean();
                }
                Shape ls = targets.getShape();
                NDArray weights = HostArrays.owned(manager.create(
                        SubjectWeights.of(b.targets(), (int) ls.get(2), (int) ls.get(3), o.subjectLossWeight()),
                        new Shape(b.size(), 1, ls.get(2), ls.get(3))));
                return squared.mul(weights).mean();
            };
            long tTrain = System.nanoTime();
            Trainer.Result run = Trainer.builder(suti.unet(), loss)
                    .optimizer(optimizer)
                    .loop(o.loop(), sutiDir, workDir, resume)
                    .clipGradNorm(1.0)
                    .ema(ema)
                    .config(o.toJson())
                    .build()
                    .run();
            double trainSeconds = (System.nanoTime() - tTrain) / 1e9;
            long trained = run.endStep() - run.startStep();
            if (trained > 0) {
                LOG.info("SuTI: {} steps in {} s ({} s/step)", trained, String.format("%.1f", trainSeconds),
                        String.format("%.2f", trainSeconds / trained));
            }
            // the EMA weights are the model
            ema.swap();
            try {
                suti.save(sutiDir, Dtype.F16);
            } finally {
                ema.swap();
            }
            double[] validationLoss = {Double.NaN, Double.NaN};
            if (validation != null && (o.validationExamples() > 0 || o.samples() > 0)) {
                try (NDManager evalManager = manager.newSubManager()) {
                    SuTIUNet shipped = SuTIUNet.fromPretrained(sutiDir, evalManager);
                    shipped.unet().freezeParameters();
                    if (o.validationExamples() > 0) {
                        validationLoss = NoGrad.run(() -> validationLoss(base, shipped, validation,
                                o.validationExamples(), o.maxDemonstrations(), evalManager));
                        LOG.info("SuTI: held-out denoising loss {} with the demonstrations, {} without",
                                validationLoss[0], validationLoss[1]);
                    }
                    if (o.samples() > 0) {
                        writeSamples(base, shipped, validation, o, sutiDir.resolve("samples.png"));
                    }
                }
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            return new Result(sutiDir, run.endStep(), seconds, trainSeconds, finalLoss, validationLoss[0],
                    validationLoss[1], trainableCount);
        }
    }

    /**
     * One micro-batch's examples after the draws that shape it.
     *
     * @param demoImages example-major, {@code k} per example
     * @param demoCaptions their captions
     * @param prompts the prompts, "" where the text was dropped
     * @param kept what each example keeps
     */
    record Batch(int k, List<BufferedImage> demoImages, List<String> demoCaptions, List<String> prompts,
            List<BufferedImage> targets, List<ConditionDropout.Kept> kept) {
        int size() {
            return prompts.size();
        }
    }

    /** Draws micro-batches and turns their images and captions into the UNet's inputs. */
    static final class Batches {
        private final StableDiffusionPipeline base;
        private final SuTIUNet suti;
        private final Options o;
        private final NDManager manager;

        Batches(StableDiffusionPipeline base, SuTIUNet suti, Options o, NDManager manager) {
            this.base = base;
            this.suti = suti;
            this.o = o;
            this.manager = manager;
        }

        /** The indices, K, the demonstration subsets and the dropout, drawn from {@code rng} in that order. */
        Batch draw(ApprenticeshipSource data, SplittableRandom rng) {
            int n = o.loop().batchSize();
            List<ApprenticeshipExample> examples = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                examples.add(data.example(rng.nextLong(data.size())));
            }
            int k = o.minDemonstrations() + rng.nextInt(o.maxDemonstrations() - o.minDemonstrations() + 1);
            k = Math.min(k, examples.stream().mapToInt(ApprenticeshipExample::demonstrations).min().orElseThrow());
            List<BufferedImage> demoImages = new ArrayList<>(n * k);
            List<String> demoCaptions = new ArrayList<>(n * k);
            for (ApprenticeshipExample e : examples) {
                for (int j : subset(rng, e.demonstrations(), k)) {
                    demoImages.add(e.demoImages().get(j));
                    demoCaptions.add(e.demoCaptions().get(j));
                }
            }
            List<ConditionDropout.Kept> kept = new ArrayList<>(n);
            List<String> prompts = new ArrayList<>(n);
            for (ApprenticeshipExample e : examples) {
                ConditionDropout.Kept c = o.dropout().draw(rng);
                kept.add(c);
                prompts.add(c.text() ? e.prompt() : "");
            }
            return new Batch(k, demoImages, demoCaptions, prompts,
                    examples.stream().map(ApprenticeshipExample::target).toList(), kept);
        }

        /** Scaled latents of the targets: a posterior sample with noise from {@code rng}. */
        NDArray targetLatents(List<BufferedImage> targets, SplittableRandom rng) {
            AutoencoderKL vae = base.vae();
            NDArray images = ImageTensors.of(targets, base.defaultSize(), manager);
            try (DiagonalGaussianDistribution d = vae.encode(images)) {
                NDArray eps = Gaussian.of(manager, rng, d.mean().getShape());
                return vae.scaleLatents(d.sample(eps));
            }
        }

        /** The demonstrations' encoder features, zero for the examples whose demonstrations were dropped. */
        DemonstrationFeatures demonstrationFeatures(Batch b) {
            NDArray images = ImageTensors.of(b.demoImages(), base.defaultSize(), manager);
            NDArray latents = base.vae().latentsFromImage(images); // [B*K, C, h, w]
            Shape s = latents.getShape();
            NDArray states = base.encode(manager, b.demoCaptions());
            DemonstrationFeatures demos = suti.encodeDemonstrations(
                    latents.reshape(b.size(), b.k(), s.get(1), s.get(2), s.get(3)), states);
            if (b.kept().stream().allMatch(ConditionDropout.Kept::demonstrations)) {
                return demos;
            }
            boolean[] keep = new boolean[b.size()];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = b.kept().get(i).demonstrations();
            }
            return demos.keepOnly(keep);
        }
    }

    /** {@code k} distinct indices of {@code [0, n)} in random order (a partial Fisher-Yates shuffle). */
    static int[] subset(SplittableRandom rng, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return Arrays.copyOf(all, k);
    }

    /**
     * The held-out denoising MSE of the first {@code count} validation examples (their first K
     * demonstrations, K the most every one has, at most {@code maxDemonstrations}), each at every one
     * of {@link #VALIDATION_TIMESTEPS} with noise from a fixed seed and the target's posterior mode:
     * {with the demonstrations, without them}. Comparable between runs and checkpoints.
     */
    static double[] validationLoss(StableDiffusionPipeline base, SuTIUNet suti, ApprenticeshipSource validation,
            int count, int maxDemonstrations, NDManager manager) {
        List<ApprenticeshipExample> examples = new ArrayList<>();
        for (long i = 0; i < Math.min(count, validation.size()); i++) {
            examples.add(validation.example(i));
        }
        int k = Math.min(maxDemonstrations, examples.stream().mapToInt(ApprenticeshipExample::demonstrations).min()
                .orElseThrow());
        DDPMScheduler schedule = new DDPMScheduler(base.scheduler().config());
        boolean epsilon = schedule.config().predictionType().equals("epsilon");
        SplittableRandom rng = new SplittableRandom(VALIDATION_SEED);
        double[] sum = new double[2];
        int n = 0;
        int chunk = 16;
        for (int start = 0; start < examples.size(); start += chunk) {
            List<ApprenticeshipExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
            try (NDManager m = manager.newSubManager()) {
                List<BufferedImage> demoImages = new ArrayList<>();
                List<String> demoCaptions = new ArrayList<>();
                for (ApprenticeshipExample e : part) {
                    demoImages.addAll(e.demoImages().subList(0, k));
                    demoCaptions.addAll(e.demoCaptions().subList(0, k));
                }
                NDArray demoLatents = base.vae().latentsFromImage(ImageTensors.of(demoImages, base.defaultSize(), m));
                Shape s = demoLatents.getShape();
                DemonstrationFeatures demos = suti.encodeDemonstrations(
                        demoLatents.reshape(part.size(), k, s.get(1), s.get(2), s.get(3)), base.encode(m, demoCaptions));
                DemonstrationFeatures none = demos.none();
                NDArray latents = base.vae().latentsFromImage(
                        ImageTensors.of(part.stream().map(ApprenticeshipExample::target).toList(), base.defaultSize(), m));
                NDArray text = base.encode(m, part.stream().map(ApprenticeshipExample::prompt).toList());
                for (int t : VALIDATION_TIMESTEPS) {
                    try (NDManager step = m.newSubManager()) {
                        NDArray noise = Gaussian.of(step, rng, latents.getShape());
                        long[] ts = new long[part.size()];
                        Arrays.fill(ts, t);
                        NDArray timesteps = HostArrays.owned(step.create(ts));
                        NDArray noisy = schedule.addNoise(latents, noise, timesteps);
                        NDArray target = epsilon ? noise : schedule.velocity(latents, noise, timesteps);
                        sum[0] += suti.forward(noisy, timesteps, text, demos).sub(target).square().mean().getFloat()
                                * part.size();
                        sum[1] += suti.forward(noisy, timesteps, text, none).sub(target).square().mean().getFloat()
                                * part.size();
                        n += part.size();
                    }
                }
            }
        }
        return new double[] {sum[0] / n, sum[1] / n};
    }

    /** A row per held-out example: its demonstrations, the real target, and SuTI's image (seed i). */
    private static void writeSamples(StableDiffusionPipeline base, SuTIUNet suti, ApprenticeshipSource validation,
            Options o, Path file) {
        List<BufferedImage> cells = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        int rows = (int) Math.min(o.samples(), validation.size());
        int k = Integer.MAX_VALUE;
        List<ApprenticeshipExample> examples = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            ApprenticeshipExample e = validation.example(i);
            examples.add(e);
            k = Math.min(k, e.demonstrations());
        }
        k = Math.min(k, o.maxDemonstrations());
        try (SuTIPipeline pipe = new SuTIPipeline(base, suti)) {
            for (int i = 0; i < rows; i++) {
                ApprenticeshipExample e = examples.get(i);
                SuTIRequest r = SuTIRequest.of(e.demoImages().subList(0, k), e.demoCaptions().subList(0, k), e.prompt())
                        .withSteps(o.sampleSteps()).withSeed(i);
                for (int j = 0; j < k; j++) {
                    cells.add(e.demoImages().get(j));
                    captions.add("demo " + (j + 1));
                }
                cells.add(e.target());
                captions.add("target");
                cells.add(pipe.generate(r).images().get(0));
                captions.add("SuTI");
            }
        }
        Images.writePng(Images.grid(cells, captions, k + 2), file);
        LOG.info("SuTI: wrote {} sample rows to {}", rows, file);
    }
}
