package io.github.t2i4j.itercomp.refl;

import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.models.unet.AddedCond;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.pipelines.Conditioning;
import io.github.t2i4j.core.schedulers.NoiseSource;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Noise;
import io.github.t2i4j.core.tensor.Scopes;
import io.github.t2i4j.core.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reward feedback learning (ReFL, ImageReward; IterComp's multi-reward form): the loss of one
 * micro-batch for optimising the UNet against frozen reward models.
 *
 * <ol>
 *   <li>draw a late step index {@code k} uniformly in [{@code lateMin}, {@code lateMax}] (paper:
 *       [30, 39] of 40 DDPM steps) and a noise seed, both from the micro-batch's Java generator;
 *   <li>sample steps {@code 0..k-1} from seeded noise <em>without gradient</em> ({@link NoGrad}),
 *       exactly as {@code DiffusionPipeline} samples with the same seed;
 *   <li>one UNet call at {@code timesteps[k]} with gradient; the predicted {@code x0 = (x_t -
 *       sqrt(1 - abar) eps) / sqrt(abar)} (or its v-/sample-prediction form);
 *   <li>decode {@code x0} with the frozen VAE (the graph runs through it to the latents), score
 *       the images with the frozen rewards, and take the {@link MultiRewardLoss};
 *   <li>optionally add {@code weight *} the ordinary denoising MSE on a batch of real data;
 *   <li>optionally add {@code weight *} the squared distance between the UNet's output and a frozen
 *       reference UNet's at the same input: DPOK's bound on the KL divergence from the reference
 *       model's sampling process, which keeps the model where the rewards have nothing to say.
 * </ol>
 *
 * Only the UNet receives gradients: the VAE's and the rewards' parameters are frozen when the step
 * is built. {@link #lossFunction} plugs it into core's {@link Trainer} (AdamW, grad-norm clipping,
 * EMA of the UNet, checkpoints), whose per-micro-batch {@code NDScope} frees everything a step
 * makes; the sampling loop also frees each step's temporaries as it goes. The scheduler must work
 * on variance-preserving latents (DDPM, DDIM: {@code initNoiseSigma() == 1}, integer timesteps).
 */
public final class RewardFeedbackStep {
    private static final Logger LOG = LoggerFactory.getLogger(RewardFeedbackStep.class);

    /** The salt DiffusionPipeline xors into its seed for the stochastic steps' noise. */
    public static final long STEP_NOISE_SALT = 0x5DEECE66DL;

    /**
     * What one feedback micro-batch computed (arrays live in the caller's scope).
     *
     * @param loss the total, a scalar with a graph to the UNet's parameters
     * @param feedbackLoss the multi-reward loss
     * @param regularizerLoss the weighted denoising loss, or null
     * @param anchorLoss the weighted distance to the reference UNet's output, or null
     * @param rewards one [B] array per reward
     * @param images the decoded predicted {@code x0}, [B, 3, H, W]
     * @param stepIndex the late step {@code k}
     * @param timestep {@code timesteps[k]}
     * @param seed the seed of the sampled noise
     */
    public record Output(NDArray loss, NDArray feedbackLoss, NDArray regularizerLoss, NDArray anchorLoss, List<NDArray> rewards,
            NDArray images, int stepIndex, float timestep, long seed) {}

    /**
     * Host-side numbers of one micro-batch, for logging.
     *
     * @param meanRewards the batch mean of each reward
     */
    public record Feedback(int stepIndex, float timestep, double[] meanRewards, double feedbackLoss,
            double regularizerLoss, double anchorLoss) {}

    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    private final Scheduler scheduler;
    private final List<Reward> rewards;
    private final MultiRewardLoss loss;
    private final int inferenceSteps;
    private final int lateMin;
    private final int lateMax;
    private final float guidanceScale;
    private final Shape latentShape;
    private final Function<SplittableRandom, DenoisingBatch> regularizerData;
    private final double regularizerWeight;
    private final UNet2DConditionModel reference;
    private final double anchorWeight;
    private final Consumer<Feedback> listener;
    private final float[] alphasCumprod;

    private RewardFeedbackStep(Builder b) {
        this.unet = b.unet;
        this.vae = b.vae;
        this.scheduler = b.scheduler;
        this.rewards = List.copyOf(b.rewards);
        this.loss = b.loss != null ? b.loss : MultiRewardLoss.paper(rewards.size());
        this.inferenceSteps = b.inferenceSteps;
        this.lateMin = b.lateMin;
        this.lateMax = b.lateMax;
        this.guidanceScale = b.guidanceScale;
        int f = vae.latentFactor();
        int h = b.height > 0 ? b.height / f : unet.config().sampleSize();
        int w = b.width > 0 ? b.width / f : unet.config().sampleSize();
        this.latentShape = new Shape(unet.config().inChannels(), h, w);
        this.regularizerData = b.regularizerData;
        this.regularizerWeight = b.regularizerWeight;
        this.reference = b.reference;
        this.anchorWeight = b.anchorWeight;
        this.listener = b.listener;
        this.alphasCumprod = scheduler.alphasCumprod();
        vae.freezeParameters();
        if (reference != null) {
            reference.freezeParameters();
        }
        for (Reward r : rewards) {
            r.modules().forEach(Module::freezeParameters);
        }
        if (unet.namedParameters().values().stream().noneMatch(Parameter::requiresGradient)) {
            throw new IllegalArgumentException("the UNet has no trainable parameter");
        }
    }

    /**
     * A step that optimises {@code unet} against {@code rewards}, decoding with {@code vae} and
     * sampling with {@code scheduler} (a DDPM scheduler in the paper).
     */
    public static Builder builder(UNet2DConditionModel unet, AutoencoderKL vae, Scheduler scheduler, List<Reward> rewards) {
        return new Builder(unet, vae, scheduler, rewards);
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    /** The latent shape sampled, [C, h, w]. */
    public Shape latentShape() {
        return latentShape;
    }

    public int inferenceSteps() {
        return inferenceSteps;
    }

    private boolean guided(PromptBatch p) {
        if (guidanceScale > 1f && p.uncond() == null) {
            throw new IllegalArgumentException("guidance scale " + guidanceScale + " needs unconditional conditioning");
        }
        return guidanceScale > 1f;
    }

    /** The inference timesteps (sets the scheduler to {@link #inferenceSteps}). */
    private float[] timesteps() {
        scheduler.setTimesteps(inferenceSteps);
        return scheduler.timesteps();
    }

    /**
     * The latents after sampling steps {@code 0..steps-1}, without gradient: the initial noise
     * {@code Noise.gaussianBatch(seed)} and the step noise {@code NoiseSource.seeded(seed ^
     * STEP_NOISE_SALT)}, as {@code DiffusionPipeline.generate} draws them for a request with this
     * seed. Detached from any graph.
     */
    public NDArray sampleWithoutGradient(PromptBatch prompts, long seed, int steps) {
        if (steps < 0 || steps > inferenceSteps) {
            throw new IllegalArgumentException("steps " + steps + " not in [0, " + inferenceSteps + "]");
        }
        boolean guided = guided(prompts);
        Conditioning c = guided ? concat(prompts.uncond(), prompts.cond()) : prompts.cond();
        return NoGrad.run(() -> {
            float[] ts = timesteps();
            NDManager m = prompts.cond().context().getManager();
            NDArray latents = Scopes.run(
                    () -> Noise.gaussianBatch(m, seed, latentShape, prompts.size()).mul(scheduler.initNoiseSigma()));
            NoiseSource stepNoise = NoiseSource.seeded(seed ^ STEP_NOISE_SALT);
            for (int i = 0; i < steps; i++) {
                final NDArray x = latents;
                final float t = ts[i];
                NDArray next = Scopes.run(() -> scheduler.step(modelOutput(unet, x, t, c, guided), t, x, stepNoise));
                latents.close();
                latents = next;
            }
            NDArray out = latents.stopGradient();
            latents.close();
            return out;
        });
    }

    /** The output of {@code model} at {@code t}, guided when asked (unconditional half first, as diffusers). */
    private NDArray modelOutput(UNet2DConditionModel model, NDArray latents, float t, Conditioning c, boolean guided) {
        NDArray in = guided ? NDArrays.concat(new NDList(latents, latents)) : latents;
        in = scheduler.scaleModelInput(in, t);
        NDArray ts = in.getManager().full(new Shape(in.getShape().get(0)), t);
        NDArray out = model.forward(in, ts, c.context(), c.added());
        if (!guided) {
            return out;
        }
        NDList halves = out.split(2);
        NDArray uncond = halves.get(0);
        return uncond.add(Scalars.mul(halves.get(1).sub(uncond), guidanceScale));
    }

    private static Conditioning concat(Conditioning uncond, Conditioning cond) {
        AddedCond a = cond.added();
        AddedCond u = uncond.added();
        return new Conditioning(NDArrays.concat(new NDList(uncond.context(), cond.context())),
                a == null ? null : new AddedCond(NDArrays.concat(new NDList(u.textEmbeds(), a.textEmbeds())),
                        NDArrays.concat(new NDList(u.timeIds(), a.timeIds()))));
    }

    /**
     * The scheduler's predicted original sample at train timestep {@code t} from the model output
     * (clipped when the scheduler's config clips samples), differentiable in the output.
     */
    NDArray predictedOriginal(NDArray modelOutput, NDArray sample, float t) {
        int i = (int) t;
        if (i != t || i < 0 || i >= alphasCumprod.length) {
            throw new IllegalArgumentException("timestep " + t + " is not an integer train timestep");
        }
        float abar = alphasCumprod[i];
        float a = (float) Math.sqrt(abar);
        float s = (float) Math.sqrt(1 - abar);
        NDArray x0 = switch (scheduler.config().predictionType()) {
            case "epsilon" -> Scalars.div(sample.sub(Scalars.mul(modelOutput, s)), a);
            case "v_prediction" -> Scalars.mul(sample, a).sub(Scalars.mul(modelOutput, s));
            case "sample" -> modelOutput;
            default -> throw new IllegalStateException(scheduler.config().predictionType());
        };
        if (scheduler.config().clipSample()) {
            float r = (float) scheduler.config().clipSampleRange();
            x0 = x0.clip(-r, r);
        }
        return x0;
    }

    /** The feedback loss with the late step and the noise seed drawn from {@code rng} (then the regulariser's draws). */
    public Output forward(PromptBatch prompts, SplittableRandom rng) {
        int k = rng.nextInt(lateMin, lateMax + 1);
        long seed = rng.nextLong();
        return forward(prompts, k, seed, rng);
    }

    /**
     * The feedback loss at late step {@code k} from noise seed {@code seed}; {@code rng} feeds the
     * regulariser (unused without one).
     */
    public Output forward(PromptBatch prompts, int k, long seed, SplittableRandom rng) {
        if (k < 0 || k >= inferenceSteps) {
            throw new IllegalArgumentException("late step " + k + " not in [0, " + inferenceSteps + ")");
        }
        boolean guided = guided(prompts);
        NDArray xt = sampleWithoutGradient(prompts, seed, k);
        float t = timesteps()[k];
        Conditioning c = guided ? concat(prompts.uncond(), prompts.cond()) : prompts.cond();
        NDArray output = modelOutput(unet, xt, t, c, guided);
        NDArray anchor = null;
        if (reference != null) {
            NDArray ref = NoGrad.run(() -> modelOutput(reference, xt, t, c, guided).stopGradient());
            anchor = Scalars.mul(output.sub(ref).square().mean(), (float) anchorWeight);
        }
        NDArray x0 = predictedOriginal(output, xt, t);
        NDArray images = vae.imageFromLatents(x0);
        List<NDArray> r = new ArrayList<>(rewards.size());
        for (Reward reward : rewards) {
            NDArray s = reward.score(images, prompts.prompts());
            if (!s.getShape().equals(new Shape(prompts.size()))) {
                throw new IllegalStateException("a reward returned " + s.getShape() + " for " + prompts.size() + " images");
            }
            r.add(s);
        }
        NDArray feedback = loss.loss(r);
        NDArray regularizer = null;
        NDArray total = feedback;
        if (regularizerData != null) {
            regularizer = Scalars.mul(denoisingLoss(regularizerData.apply(rng), rng), (float) regularizerWeight);
            total = total.add(regularizer);
        }
        if (anchor != null) {
            total = total.add(anchor);
        }
        Output out = new Output(total, feedback, regularizer, anchor, r, images, k, t, seed);
        if (listener != null || LOG.isDebugEnabled()) {
            Feedback f = feedback(out);
            LOG.debug("ReFL step index {} (t = {}): rewards {}, loss {}, regulariser {}, anchor {}", f.stepIndex(),
                    f.timestep(), f.meanRewards(), f.feedbackLoss(), f.regularizerLoss(), f.anchorLoss());
            if (listener != null) {
                listener.accept(f);
            }
        }
        return out;
    }

    private static Feedback feedback(Output o) {
        double[] means = new double[o.rewards().size()];
        for (int i = 0; i < means.length; i++) {
            means[i] = scalar(o.rewards().get(i).mean());
        }
        return new Feedback(o.stepIndex(), o.timestep(), means, scalar(o.feedbackLoss()),
                o.regularizerLoss() == null ? Double.NaN : scalar(o.regularizerLoss()),
                o.anchorLoss() == null ? Double.NaN : scalar(o.anchorLoss()));
    }

    private static double scalar(NDArray x) {
        return x.stopGradient().toType(DataType.FLOAT32, false).getFloat();
    }

    /**
     * The ordinary training loss on real data: timesteps uniform over the train timesteps and
     * Gaussian noise from {@code rng}, the MSE between the UNet's output and its target (the noise,
     * the velocity or the sample, by the scheduler's prediction type).
     */
    public NDArray denoisingLoss(DenoisingBatch data, SplittableRandom rng) {
        NDArray latents = data.latents().stopGradient();
        int b = Math.toIntExact(latents.getShape().get(0));
        long[] t = new long[b];
        for (int i = 0; i < b; i++) {
            t[i] = rng.nextInt(alphasCumprod.length);
        }
        NDManager m = latents.getManager();
        NDArray noise = Noise.gaussian(m, rng.nextLong(), latents.getShape());
        NDArray timesteps = HostArrays.owned(m.create(t));
        NDArray noisy = scheduler.addNoise(latents, noise, timesteps);
        NDArray pred = unet.forward(noisy, timesteps, data.cond().context(), data.cond().added());
        NDArray target = switch (scheduler.config().predictionType()) {
            case "epsilon" -> noise;
            case "v_prediction" -> scheduler.velocity(latents, noise, timesteps);
            case "sample" -> latents;
            default -> throw new IllegalStateException(scheduler.config().predictionType());
        };
        return pred.sub(target).square().mean();
    }

    /**
     * This step as the loss of core's {@link Trainer} (build the trainer on {@link #unet()}): each
     * micro-batch draws its prompts from {@code prompts}, then its late step, noise and regulariser
     * batch, all from {@code MicroBatch.random()}, so a run is a function of its seed and resumes
     * exactly.
     */
    public Trainer.LossFunction lossFunction(Function<SplittableRandom, PromptBatch> prompts) {
        return batch -> {
            SplittableRandom rng = batch.random();
            return forward(prompts.apply(rng), rng).loss();
        };
    }

    /** Settings; the defaults are the paper's. */
    public static final class Builder {
        private final UNet2DConditionModel unet;
        private final AutoencoderKL vae;
        private final Scheduler scheduler;
        private final List<Reward> rewards;
        private MultiRewardLoss loss;
        private int inferenceSteps = 40;
        private int lateMin = 30;
        private int lateMax = 39;
        private float guidanceScale = 1f;
        private int height;
        private int width;
        private Function<SplittableRandom, DenoisingBatch> regularizerData;
        private double regularizerWeight;
        private UNet2DConditionModel reference;
        private double anchorWeight;
        private Consumer<Feedback> listener;

        private Builder(UNet2DConditionModel unet, AutoencoderKL vae, Scheduler scheduler, List<Reward> rewards) {
            if (rewards.isEmpty()) {
                throw new IllegalArgumentException("need at least one reward");
            }
            this.unet = unet;
            this.vae = vae;
            this.scheduler = scheduler;
            this.rewards = List.copyOf(rewards);
        }

        /** The loss over the rewards (default {@link MultiRewardLoss#paper}: scale 1e-3, margins 2). */
        public Builder loss(MultiRewardLoss loss) {
            this.loss = loss;
            return this;
        }

        /** Sampling steps (default 40). */
        public Builder inferenceSteps(int steps) {
            this.inferenceSteps = steps;
            return this;
        }

        /** The range the step with gradient is drawn from, both ends included (default 30..39). */
        public Builder lateSteps(int min, int max) {
            this.lateMin = min;
            this.lateMax = max;
            return this;
        }

        /** Classifier-free guidance while sampling (default 1: none, as the paper). */
        public Builder guidanceScale(float scale) {
            this.guidanceScale = scale;
            return this;
        }

        /** Image size (default: the UNet's sample size times the VAE's factor). */
        public Builder imageSize(int height, int width) {
            vae.checkImageSize(height, width);
            this.height = height;
            this.width = width;
            return this;
        }

        /** Adds {@code weight *} the denoising loss on batches from {@code data} (default: none). */
        public Builder regularizer(Function<SplittableRandom, DenoisingBatch> data, double weight) {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("regulariser weight must be finite and >= 0: " + weight);
            }
            this.regularizerData = data;
            this.regularizerWeight = weight;
            return this;
        }

        /**
         * Adds {@code weight *} the mean squared distance between the UNet's (guided) output at the
         * gradient step and {@code reference}'s at the same input, as DPOK's KL regulariser (default:
         * none). The reference is frozen; it must take the same inputs as the UNet.
         */
        public Builder anchor(UNet2DConditionModel reference, double weight) {
            if (!(weight >= 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("anchor weight must be finite and >= 0: " + weight);
            }
            if (reference == unet) {
                throw new IllegalArgumentException("the reference must be a separate copy of the UNet");
            }
            this.reference = reference;
            this.anchorWeight = weight;
            return this;
        }

        /** Called with each micro-batch's rewards and losses (costs a host sync). */
        public Builder listener(Consumer<Feedback> listener) {
            this.listener = listener;
            return this;
        }

        public RewardFeedbackStep build() {
            if (inferenceSteps < 1) {
                throw new IllegalArgumentException("inference steps must be >= 1: " + inferenceSteps);
            }
            if (lateMin < 0 || lateMin > lateMax || lateMax >= inferenceSteps) {
                throw new IllegalArgumentException("late steps [" + lateMin + ", " + lateMax + "] not within [0, "
                        + inferenceSteps + ")");
            }
            if (scheduler.initNoiseSigma() != 1f) {
                throw new IllegalArgumentException(
                        "ReFL needs a variance-preserving scheduler (DDPM, DDIM), not " + scheduler.getClass().getSimpleName());
            }
            if (loss != null && loss.size() != rewards.size()) {
                throw new IllegalArgumentException("the loss has " + loss.size() + " terms for " + rewards.size() + " rewards");
            }
            return new RewardFeedbackStep(this);
        }
    }
}
