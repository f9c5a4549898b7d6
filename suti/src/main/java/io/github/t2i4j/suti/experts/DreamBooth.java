package io.github.t2i4j.suti.experts;

import com.google.gson.JsonObject;
import io.github.t2i4j.core.tensor.NoGrad;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.LearningRateSchedule;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.Trainer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DreamBooth (Ruiz et al. 2022): fine-tunes a copy of a Stable Diffusion UNet on a few images of
 * one subject captioned "a [identifier] [class]", with the prior-preservation loss that keeps the
 * class itself intact. The text encoder, the VAE and the base UNet are frozen and never changed.
 *
 * <ol>
 *   <li>Prior images: the frozen base pipeline draws {@code classImages} images of "a [class]"
 *       (seeds {@code seed + 1_000_003 + i}).
 *   <li>The frozen VAE encodes the instance and class images once (posterior mean and std); the
 *       frozen text encoder encodes their captions once.
 *   <li>Each step: {@code batchSize} instance and {@code batchSize} class examples (drawn with
 *       replacement), fresh posterior samples, timesteps and noise from the step's Java
 *       generator, one UNet pass over both; loss = MSE(instance) + priorWeight * MSE(class).
 *       AdamW (weight decay 0.01), constant learning rate, gradient norm clipped to 1, as
 *       diffusers' {@code train_dreambooth.py}.
 * </ol>
 *
 * The same inputs and options give the same weights bit for bit. The copy keeps the base UNet's
 * type: load the base in float32 to fine-tune (updates of 5e-6 vanish in float16 weights).
 */
public final class DreamBooth {
    private static final Logger LOG = LoggerFactory.getLogger(DreamBooth.class);

    private DreamBooth() {}

    /**
     * Fine-tuning settings.
     *
     * @param steps optimizer steps
     * @param learningRate constant AdamW rate
     * @param batchSize instance examples per step (and as many class examples with the prior loss)
     * @param priorWeight weight of the prior-preservation loss (0: none, and no class images drawn)
     * @param classImages prior images drawn from the base model
     * @param identifier the rare token naming the subject (must be one token of the tokenizer)
     * @param classNoun the subject's class as the captions name it
     * @param seed seed of the prior images and of every step's data and noise
     * @param classImageSteps sampling steps of the prior images
     * @param classImageGuidance classifier-free guidance scale of the prior images
     */
    public record Options(
            long steps,
            double learningRate,
            int batchSize,
            double priorWeight,
            int classImages,
            String identifier,
            String classNoun,
            long seed,
            int classImageSteps,
            float classImageGuidance) {

        public Options {
            if (steps < 1 || batchSize < 1) {
                throw new IllegalArgumentException("steps and batchSize must be positive: " + steps + ", " + batchSize);
            }
            if (!(learningRate > 0) || !(priorWeight >= 0) || classImages < 0 || classImageSteps < 1) {
                throw new IllegalArgumentException("bad DreamBooth options: " + learningRate + ", " + priorWeight
                        + ", " + classImages + ", " + classImageSteps);
            }
            if (priorWeight > 0 && classImages == 0) {
                throw new IllegalArgumentException("the prior-preservation loss needs class images");
            }
            if (identifier == null || identifier.isBlank() || classNoun == null || classNoun.isBlank()) {
                throw new IllegalArgumentException("need an identifier and a class noun");
            }
        }

        /**
         * The paper's settings for Stable Diffusion (diffusers' example): 400 steps at 5e-6, batch
         * 1, prior weight 1 with 100 class images drawn in 25 steps at guidance 7.5.
         */
        public static Options defaults(String identifier, String classNoun) {
            return new Options(400, 5e-6, 1, 1.0, 100, identifier, classNoun, 0, 25, 7.5f);
        }

        public Options withSteps(long s) {
            return new Options(s, learningRate, batchSize, priorWeight, classImages, identifier, classNoun, seed,
                    classImageSteps, classImageGuidance);
        }

        public Options withLearningRate(double lr) {
            return new Options(steps, lr, batchSize, priorWeight, classImages, identifier, classNoun, seed,
                    classImageSteps, classImageGuidance);
        }

        public Options withBatchSize(int b) {
            return new Options(steps, learningRate, b, priorWeight, classImages, identifier, classNoun, seed,
                    classImageSteps, classImageGuidance);
        }

        /** The prior loss's weight and the number of class images (0, 0: no prior preservation). */
        public Options withPrior(double weight, int images) {
            return new Options(steps, learningRate, batchSize, weight, images, identifier, classNoun, seed,
                    classImageSteps, classImageGuidance);
        }

        public Options withSeed(long s) {
            return new Options(steps, learningRate, batchSize, priorWeight, classImages, identifier, classNoun, s,
                    classImageSteps, classImageGuidance);
        }

        /** The same settings for another subject: its identifier and class noun. */
        public Options withSubject(String id, String noun) {
            return new Options(steps, learningRate, batchSize, priorWeight, classImages, id, noun, seed,
                    classImageSteps, classImageGuidance);
        }

        public Options withClassImageSampling(int samplingSteps, float guidance) {
            return new Options(steps, learningRate, batchSize, priorWeight, classImages, identifier, classNoun, seed,
                    samplingSteps, guidance);
        }

        /** "a [identifier] [class]". */
        public String instancePrompt() {
            return "a " + identifier + " " + classNoun;
        }

        /** "a [class]". */
        public String classPrompt() {
            return "a " + classNoun;
        }

        /** The training settings as JSON: everything but the identifier and the class noun, which name one subject. */
        public JsonObject settingsJson() {
            JsonObject d = new JsonObject();
            d.addProperty("steps", steps);
            d.addProperty("learningRate", learningRate);
            d.addProperty("batchSize", batchSize);
            d.addProperty("priorWeight", priorWeight);
            d.addProperty("classImages", classImages);
            d.addProperty("seed", seed);
            d.addProperty("classImageSteps", classImageSteps);
            d.addProperty("classImageGuidance", classImageGuidance);
            return d;
        }
    }

    /**
     * Fine-tunes on {@code images}, all captioned {@link Options#instancePrompt()}; the base
     * pipeline must outlive the result.
     */
    public static Expert fineTune(StableDiffusionPipeline base, List<BufferedImage> images, Options o) {
        return fineTune(base, images, images.stream().map(i -> o.instancePrompt()).toList(), o);
    }

    /**
     * Fine-tunes on {@code images} with one caption each (each should contain the identifier
     * before the class noun, e.g. from {@link ExpertPrompts#withIdentifier}).
     */
    public static Expert fineTune(StableDiffusionPipeline base, List<BufferedImage> images, List<String> prompts,
            Options o) {
        if (images.isEmpty() || images.size() != prompts.size()) {
            throw new IllegalArgumentException("need one prompt per instance image: " + images.size() + " images, "
                    + prompts.size() + " prompts");
        }
        ExpertPrompts.singleToken(base.tokenizer(), o.identifier());
        long t0 = System.nanoTime();
        Device device = base.unet().namedParameters().values().iterator().next().getArray().getDevice();
        NDManager manager = NDManager.newBaseManager(device);
        try {
            int size = base.defaultSize();
            boolean prior = o.priorWeight() > 0;
            List<BufferedImage> classImages = prior ? classImages(base, o) : List.of();
            long t1 = System.nanoTime();
            UNet2DConditionModel unet;
            List<StepMetrics> metrics;
            try (InstanceLatents instance = new InstanceLatents(base.vae(), images, size, manager);
                    InstanceLatents cls = new InstanceLatents(base.vae(), classImages, size, manager)) {
                NDArray instanceContext = context(base, prompts, manager);
                NDArray classContext = prior ? context(base, List.of(o.classPrompt()), manager) : null;
                UNet2DConditionModel trained = base.unet().copy(manager, true);
                DenoisingLoss objective = new DenoisingLoss(new DDPMScheduler(base.scheduler().config()));
                Trainer.LossFunction loss = batch -> {
                    SplittableRandom rng = batch.random();
                    int n = o.batchSize();
                    int[] idx = draw(rng, n, instance.size());
                    int[] cidx = prior ? draw(rng, n, cls.size()) : new int[0];
                    NDArray latents = instance.sample(idx, rng, manager);
                    NDArray context = rows(instanceContext, idx);
                    if (prior) {
                        latents = NDArrays.concat(new NDList(latents, cls.sample(cidx, rng, manager)));
                        context = NDArrays.concat(new NDList(context, classContext.repeat(0, n)));
                    }
                    NDArray[] mse = objective.mse(trained, latents, context, n, rng, manager);
                    return prior ? mse[0].add(Scalars.mul(mse[1], (float) o.priorWeight())) : mse[0];
                };
                AdamW optimizer = AdamW.builder().weightDecay(0.01).build(trained.namedParameters());
                Trainer.Result run = Trainer.builder(trained, loss)
                        .optimizer(optimizer)
                        .schedule(LearningRateSchedule.constant(o.learningRate()))
                        .clipGradNorm(1.0)
                        .totalSteps(o.steps())
                        .seed(o.seed())
                        .progressBar(false)
                        .build()
                        .run();
                metrics = run.metrics();
                // an inference copy: frees the gradients and the optimizer's moments with the training copy
                unet = trained.copy(manager, false);
                closeTraining(trained, optimizer);
            }
            long t2 = System.nanoTime();
            Expert e = new Expert(manager, base, unet, o, classImages, metrics, (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            LOG.info("DreamBooth: {} steps in {} s (prior images {} s), loss {} -> {}", o.steps(),
                    String.format("%.1f", e.fineTuneSeconds()), String.format("%.1f", e.classImageSeconds()),
                    metrics.get(0).loss(), metrics.get(metrics.size() - 1).loss());
            return e;
        } catch (RuntimeException | Error e) {
            manager.close();
            throw e;
        }
    }

    /** The frozen text encoder's context for the prompts, kept on {@code manager} (its temporaries are not). */
    static NDArray context(StableDiffusionPipeline base, List<String> prompts, NDManager manager) {
        return NoGrad.run(() -> {
            try (NDManager work = manager.newSubManager()) {
                NDArray c = base.encode(work, prompts);
                c.attach(manager);
                return c;
            }
        });
    }

    /** The prior images: the base pipeline's "a [class]" in chunks of 4 (seed + 1_000_003 + i for image i). */
    static List<BufferedImage> classImages(StableDiffusionPipeline base, Options o) {
        List<BufferedImage> out = new ArrayList<>();
        int chunk = 4;
        for (int start = 0; start < o.classImages(); start += chunk) {
            int n = Math.min(chunk, o.classImages() - start);
            GenerationRequest r = GenerationRequest.builder(o.classPrompt()).imagesPerPrompt(n)
                    .steps(o.classImageSteps()).guidanceScale(o.classImageGuidance())
                    .seed(o.seed() + 1_000_003L + start).build();
            out.addAll(NoGrad.run(() -> base.generate(r)).images());
        }
        return out;
    }

    static int[] draw(SplittableRandom rng, int n, int bound) {
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = rng.nextInt(bound);
        }
        return idx;
    }

    /** Rows {@code idx} of a [N, ...] array, concatenated. */
    static NDArray rows(NDArray all, int[] idx) {
        NDList parts = new NDList();
        for (int i : idx) {
            parts.add(all.get(i).expandDims(0));
        }
        return NDArrays.concat(parts);
    }

    private static void closeTraining(UNet2DConditionModel trained, AdamW optimizer) {
        for (String name : optimizer.parameters().keySet()) {
            optimizer.expAvg(name).close();
            optimizer.expAvgSq(name).close();
        }
        trained.namedParameters().values().forEach(p -> p.getArray().close());
    }

    /**
     * A fine-tuned subject expert: its UNet (on its own memory, closed with it) and what the
     * fine-tuning cost. The base pipeline it was made from must outlive it.
     */
    public static final class Expert implements AutoCloseable {
        private final NDManager manager;
        private final StableDiffusionPipeline base;
        private final UNet2DConditionModel unet;
        private final Options options;
        private final List<BufferedImage> classImages;
        private final List<StepMetrics> metrics;
        private final double classImageSeconds;
        private final double fineTuneSeconds;

        Expert(NDManager manager, StableDiffusionPipeline base, UNet2DConditionModel unet, Options options,
                List<BufferedImage> classImages, List<StepMetrics> metrics, double classImageSeconds,
                double fineTuneSeconds) {
            this.manager = manager;
            this.base = base;
            this.unet = unet;
            this.options = options;
            this.classImages = List.copyOf(classImages);
            this.metrics = List.copyOf(metrics);
            this.classImageSeconds = classImageSeconds;
            this.fineTuneSeconds = fineTuneSeconds;
        }

        /** The fine-tuned UNet (save it with {@code unet().save(dir, dtype)} as a diffusers folder). */
        public UNet2DConditionModel unet() {
            return unet;
        }

        /** A pipeline generating with the fine-tuned UNet and the base's other parts; close it after use. */
        public StableDiffusionPipeline pipeline() {
            return new ExpertPipeline(manager.newSubManager(), base, unet, null);
        }

        public Options options() {
            return options;
        }

        /** The prior images drawn from the base model (empty without prior preservation). */
        public List<BufferedImage> classImages() {
            return classImages;
        }

        /** One entry per optimizer step (loss, gradient norm, time). */
        public List<StepMetrics> metrics() {
            return metrics;
        }

        /** Seconds spent drawing the prior images. */
        public double classImageSeconds() {
            return classImageSeconds;
        }

        /** Seconds spent encoding the images and fine-tuning. */
        public double fineTuneSeconds() {
            return fineTuneSeconds;
        }

        /** Everything the expert cost: prior images plus fine-tuning. */
        public double seconds() {
            return classImageSeconds + fineTuneSeconds;
        }

        @Override
        public void close() {
            manager.close();
        }
    }
}
