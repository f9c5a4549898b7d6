package io.github.t2i4j.suti.experts;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.LearningRateSchedule;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.Trainer;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Textual Inversion (Gal et al. 2022): learns the embedding of one new token, the placeholder
 * (e.g. {@code <subject>}), from a few images of a subject, with the whole text encoder and UNet
 * frozen. The row starts as the initializer token's (the class noun's) embedding; each step
 * encodes the captions with the row in place of the placeholder ({@link PlaceholderTextEncoder}),
 * and the denoising loss of the frozen UNet on the instance images is minimised over the row alone
 * (AdamW without weight decay, constant rate). The base tokenizer, embedding table and weights are
 * never changed: the result is a {@link LearnedEmbedding}, and {@link #pipeline} generates with it.
 */
public final class TextualInversion {
    private static final Logger LOG = LoggerFactory.getLogger(TextualInversion.class);

    private TextualInversion() {}

    /**
     * Settings.
     *
     * @param steps optimizer steps
     * @param learningRate constant AdamW rate
     * @param batchSize instance examples per step (drawn with replacement)
     * @param placeholder the new token's string, matched as typed in prompts
     * @param initializerToken the word (one token) whose embedding the row starts from: the class noun
     * @param seed seed of every step's data and noise
     */
    public record Options(
            long steps, double learningRate, int batchSize, String placeholder, String initializerToken, long seed) {

        public Options {
            if (steps < 1 || batchSize < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("bad Textual Inversion options: " + steps + ", " + batchSize + ", "
                        + learningRate);
            }
            if (placeholder == null || placeholder.isBlank() || initializerToken == null || initializerToken.isBlank()) {
                throw new IllegalArgumentException("need a placeholder and an initializer token");
            }
        }

        /** diffusers' example settings: 3000 steps at 5e-4, batch 4. */
        public static Options defaults(String placeholder, String initializerToken) {
            return new Options(3000, 5e-4, 4, placeholder, initializerToken, 0);
        }

        public Options withSteps(long s) {
            return new Options(s, learningRate, batchSize, placeholder, initializerToken, seed);
        }

        public Options withLearningRate(double lr) {
            return new Options(steps, lr, batchSize, placeholder, initializerToken, seed);
        }

        public Options withBatchSize(int b) {
            return new Options(steps, learningRate, b, placeholder, initializerToken, seed);
        }

        public Options withSeed(long s) {
            return new Options(steps, learningRate, batchSize, placeholder, initializerToken, s);
        }

        /** The same settings for another subject: the placeholder starts from {@code token}'s embedding. */
        public Options withInitializer(String token) {
            return new Options(steps, learningRate, batchSize, placeholder, token, seed);
        }

        /** "a [placeholder]". */
        public String instancePrompt() {
            return "a " + placeholder;
        }
    }

    /**
     * What a run produced.
     *
     * @param embedding the learned row
     * @param metrics one entry per step
     * @param seconds encoding the images plus training
     */
    public record Result(LearnedEmbedding embedding, List<StepMetrics> metrics, double seconds) {}

    /** Learns from {@code images}, all captioned {@link Options#instancePrompt()}. */
    public static Result learn(StableDiffusionPipeline base, List<BufferedImage> images, Options o) {
        return learn(base, images, images.stream().map(i -> o.instancePrompt()).toList(), o);
    }

    /**
     * Learns from {@code images} with one caption each, each containing the placeholder (e.g.
     * {@link ExpertPrompts#replaceNoun} of a caption's class noun).
     */
    public static Result learn(StableDiffusionPipeline base, List<BufferedImage> images, List<String> prompts,
            Options o) {
        if (images.isEmpty() || images.size() != prompts.size()) {
            throw new IllegalArgumentException("need one prompt per instance image: " + images.size() + " images, "
                    + prompts.size() + " prompts");
        }
        for (String p : prompts) {
            if (!p.contains(o.placeholder())) {
                throw new IllegalArgumentException("the prompt '" + p + "' lacks the placeholder " + o.placeholder());
            }
        }
        long t0 = System.nanoTime();
        PlaceholderTextEncoder encoder = new PlaceholderTextEncoder(base.tokenizer(), base.textEncoder(), o.placeholder());
        long initId = ExpertPrompts.singleToken(base.tokenizer(), o.initializerToken());
        Device device = base.unet().namedParameters().values().iterator().next().getArray().getDevice();
        try (NDManager manager = NDManager.newBaseManager(device);
                InstanceLatents instance = new InstanceLatents(base.vae(), images, base.defaultSize(), manager)) {
            PlaceholderEmbedding row = new PlaceholderEmbedding(
                    new LearnedEmbedding(o.placeholder(), encoder.tableRow(initId)).row(manager));
            PlaceholderTextEncoder.Tokens tokens = encoder.tokenize(prompts);
            DenoisingLoss objective = new DenoisingLoss(new DDPMScheduler(base.scheduler().config()));
            Trainer.LossFunction loss = batch -> {
                SplittableRandom rng = batch.random();
                int[] idx = DreamBooth.draw(rng, o.batchSize(), instance.size());
                long[][] ids = new long[idx.length][];
                boolean[][] at = new boolean[idx.length][];
                for (int i = 0; i < idx.length; i++) {
                    ids[i] = tokens.ids()[idx[i]];
                    at[i] = tokens.placeholder()[idx[i]];
                }
                NDArray latents = instance.sample(idx, rng, manager);
                NDArray context = encoder.encode(manager, new PlaceholderTextEncoder.Tokens(ids, at), row.row());
                return objective.mse(base.unet(), latents, context, idx.length, rng, manager)[0];
            };
            Trainer trainer = Trainer.builder(row, loss)
                    .optimizer(AdamW.builder().weightDecay(0).build(row.namedParameters()))
                    .schedule(LearningRateSchedule.constant(o.learningRate()))
                    .totalSteps(o.steps())
                    .seed(o.seed())
                    .progressBar(false)
                    .build();
            Trainer.Result run = GradientsOff.during(List.of(base.unet(), base.textEncoder().model()), trainer::run);
            LearnedEmbedding learned = new LearnedEmbedding(o.placeholder(), row.row().toFloatArray());
            double seconds = (System.nanoTime() - t0) / 1e9;
            List<StepMetrics> m = run.metrics();
            LOG.info("Textual Inversion: {} steps in {} s, loss {} -> {}", o.steps(), String.format("%.1f", seconds),
                    m.get(0).loss(), m.get(m.size() - 1).loss());
            return new Result(learned, m, seconds);
        }
    }

    /**
     * A pipeline that understands the learned placeholder in prompts, borrowing every model of
     * {@code base} (which must outlive it); close it after use.
     */
    public static StableDiffusionPipeline pipeline(StableDiffusionPipeline base, LearnedEmbedding embedding) {
        PlaceholderTextEncoder encoder =
                new PlaceholderTextEncoder(base.tokenizer(), base.textEncoder(), embedding.placeholder());
        if (encoder.hiddenSize() != embedding.vector().length) {
            throw new IllegalArgumentException("the embedding has " + embedding.vector().length
                    + " values but the text encoder's width is " + encoder.hiddenSize());
        }
        Device device = base.unet().namedParameters().values().iterator().next().getArray().getDevice();
        NDManager manager = NDManager.newBaseManager(device);
        NDArray row = embedding.row(manager);
        return new ExpertPipeline(manager, base, base.unet(), (work, prompts) -> encoder.encode(work, prompts, row));
    }
}
