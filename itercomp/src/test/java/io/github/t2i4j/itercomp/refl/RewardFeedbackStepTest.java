package io.github.t2i4j.itercomp.refl;

import io.github.t2i4j.core.tensor.NoGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.pipelines.Conditioning;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.schedulers.NoiseSource;
import io.github.t2i4j.core.tensor.Noise;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.EMA;
import io.github.t2i4j.core.training.GradientClipping;
import io.github.t2i4j.core.training.LearningRateSchedule;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** ReFL on tiny models: the no-gradient sampling prefix, where gradients go, learning, memory. */
class RewardFeedbackStepTest {
    private static final Logger LOG = LoggerFactory.getLogger(RewardFeedbackStepTest.class);

    private static PromptBatch batch(NDManager m, int width, List<String> prompts, boolean guided) {
        PromptBatch.TextConditioner enc = ReflFixtures.hashedContext(width);
        Conditioning uncond = guided ? enc.encode(m, java.util.Collections.nCopies(prompts.size(), "")) : null;
        return new PromptBatch(prompts, enc.encode(m, prompts), uncond);
    }

    /**
     * The latents after k no-gradient steps are bit for bit those of the plain sampling loop
     * (DiffusionPipeline's: seeded initial noise, seeded step noise, DDPM at 40 steps) after k steps.
     */
    @Test
    void samplingPrefixIsPlainDdpmSampling() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = ReflFixtures.goldenUnet(m);
            AutoencoderKL vae = ReflFixtures.goldenVae(m);
            DDPMScheduler sched = ReflFixtures.ddpm();
            RewardFeedbackStep step = RewardFeedbackStep.builder(unet, vae, sched, List.of(ReflFixtures.REDNESS))
                    .imageSize(16, 16).build();
            PromptBatch p = batch(m, 32, List.of("a red circle", "a blue square"), false);
            long seed = 42;
            int k = 33;
            NDArray prefix = step.sampleWithoutGradient(p, seed, k);
            assertEquals(new Shape(2, 4, 8, 8), prefix.getShape());

            // the plain loop, written out as DiffusionPipeline runs it
            sched.setTimesteps(40);
            float[] ts = sched.timesteps();
            assertEquals(40, ts.length);
            NDArray x = Noise.gaussianBatch(m, seed, new Shape(4, 8, 8), 2).mul(sched.initNoiseSigma());
            assertArrayEquals(x.toFloatArray(), step.sampleWithoutGradient(p, seed, 0).toFloatArray());
            NoiseSource stepNoise = NoiseSource.seeded(seed ^ 0x5DEECE66DL);
            for (int i = 0; i < k; i++) {
                NDArray eps = unet.forward(x, m.full(new Shape(2), ts[i]), p.cond().context(), null);
                x = sched.step(eps, ts[i], x, stepNoise);
            }
            assertArrayEquals(x.toFloatArray(), prefix.toFloatArray(), "latents after " + k + " steps");
            assertFalse(prefix.hasGradient());
        }
    }

    /**
     * The whole 40-step trajectory under classifier-free guidance, decoded, gives the images of
     * core's StableDiffusionPipeline for the same seed (8-bit, every pixel).
     */
    @Test
    void guidedSamplingMatchesTheStableDiffusionPipeline() {
        // kept in its own test so a failure names the pipeline convention that moved
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = ReflFixtures.goldenUnet(m);
            AutoencoderKL vae = ReflFixtures.goldenVae(m);
            var clip = ReflFixtures.goldenTextEncoder(m);
            var tokenizer = ReflFixtures.tinyTokenizer();
            var pipe = new io.github.t2i4j.core.pipelines.StableDiffusionPipeline(m.newSubManager(), tokenizer,
                    io.github.t2i4j.core.pipelines.TextEncoder.of(clip), unet, vae, ReflFixtures.ddpm());
            try (pipe) {
                List<String> prompts = List.of("a red circle", "a blue square");
                var r = pipe.generate(io.github.t2i4j.core.pipelines.GenerationRequest.builder(prompts.toArray(new String[0]))
                        .steps(40).guidanceScale(3f).seed(9).size(16, 16).build());
                RewardFeedbackStep step = RewardFeedbackStep.builder(unet, vae, ReflFixtures.ddpm(),
                        List.of(ReflFixtures.REDNESS)).imageSize(16, 16).guidanceScale(3f).build();
                PromptBatch.TextConditioner enc = (mm, ps) -> new Conditioning(pipe.encode(mm, ps), null);
                PromptBatch p = new PromptBatch(prompts, enc.encode(m, prompts), enc.encode(m, List.of("", "")));
                NDArray latents = step.sampleWithoutGradient(p, 9, 40);
                var images = io.github.t2i4j.core.image.Images.toImages(vae.imageFromLatents(latents));
                for (int i = 0; i < 2; i++) {
                    assertArrayEquals(pixels(r.images().get(i)), pixels(images.get(i)), "image " + i);
                }
            }
        }
    }

    private static int[] pixels(java.awt.image.BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    /**
     * One backward pass through the late UNet call, the VAE decode and two rewards (the toy one
     * and a frozen RewardModel): every UNet parameter gets a finite gradient, the VAE's and the
     * reward model's get none.
     */
    @Test
    void gradientsReachOnlyTheUnet() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = ReflFixtures.goldenUnet(m);
            AutoencoderKL vae = ReflFixtures.goldenVae(m);
            var tokenizer = ReflFixtures.worldTokenizer();
            try (tokenizer) {
                var rm = ReflFixtures.tinyRewardModel(m, tokenizer);
                assertTrue(rm.namedParameters().values().stream().anyMatch(Parameter::requiresGradient));
                RewardFeedbackStep step = RewardFeedbackStep.builder(unet, vae, ReflFixtures.ddpm(),
                        List.of(ReflFixtures.REDNESS, Reward.of(rm, tokenizer))).imageSize(16, 16).build();
                PromptBatch p = batch(m, 32, List.of("a red circle", "a blue square"), false);
                RewardFeedbackStep.Output out;
                try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                    out = step.forward(p, new SplittableRandom(3));
                    gc.backward(out.loss());
                }
                assertTrue(out.stepIndex() >= 30 && out.stepIndex() <= 39, "late step " + out.stepIndex());
                assertEquals(new Shape(2, 3, 16, 16), out.images().getShape());
                assertEquals(MultiRewardLoss.paper(2).loss(out.rewards()).getFloat(), out.loss().getFloat(), 0f);
                for (var e : unet.namedParameters().entrySet()) {
                    NDArray g = e.getValue().getArray().getGradient();
                    assertTrue(Float.isFinite(g.abs().sum().getFloat()), "non-finite gradient at " + e.getKey());
                }
                double norm = GradientClipping.globalNorm(unet.namedParameters().values());
                assertTrue(norm > 0 && Double.isFinite(norm), "UNet gradient norm " + norm);
                for (String n : List.of("conv_in.weight", "conv_out.weight",
                        "down_blocks.0.attentions.0.transformer_blocks.0.attn2.to_k.weight")) {
                    assertTrue(unet.namedParameters().get(n).getArray().getGradient().abs().sum().getFloat() > 0,
                            "no gradient at " + n);
                }
                assertNoGradients("VAE", vae.namedParameters());
                assertNoGradients("reward model", rm.namedParameters());
            }
        }
    }

    private static void assertNoGradients(String what, Map<String, Parameter> params) {
        for (var e : params.entrySet()) {
            NDArray a = e.getValue().getArray();
            assertFalse(e.getValue().requiresGradient(), what + " parameter not frozen: " + e.getKey());
            assertFalse(a.hasGradient(), what + " parameter has a gradient: " + e.getKey());
        }
    }

    /**
     * The regulariser adds {@code weight *} the denoising MSE of the supplied real batch, with its
     * timesteps and noise drawn from the micro-batch's generator after the late step and the seed.
     */
    @Test
    void regulariserAddsTheWeightedDenoisingLoss() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = ReflFixtures.tinyUnet(m, 5, 16);
            AutoencoderKL vae = ReflFixtures.tinyVae(m, 6);
            PromptBatch p = batch(m, 16, List.of("a red circle", "a red square"), false);
            DenoisingBatch real = new DenoisingBatch(Noise.gaussian(m, 8, new Shape(2, 4, 8, 8)), p.cond());
            RewardFeedbackStep step = RewardFeedbackStep.builder(unet, vae, ReflFixtures.ddpm(), List.of(ReflFixtures.REDNESS))
                    .inferenceSteps(5).lateSteps(3, 4).imageSize(16, 16).regularizer(rng -> real, 0.5).build();
            RewardFeedbackStep.Output out = step.forward(p, 4, 21, new SplittableRandom(9));
            float expected = step.denoisingLoss(real, new SplittableRandom(9)).getFloat();
            assertTrue(expected > 0);
            assertEquals(0.5f * expected, out.regularizerLoss().getFloat(), 0f);
            assertEquals(out.feedbackLoss().getFloat() + 0.5f * expected, out.loss().getFloat(), 1e-6f);
        }
    }

    /**
     * DPOK's KL regulariser: zero against a reference with the UNet's own weights, positive against
     * another, added to the loss with its weight; the frozen reference gets no gradient.
     */
    @Test
    void anchorPenalisesDistanceToTheReferenceUnet() {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = ReflFixtures.tinyUnet(m, 5, 16);
            UNet2DConditionModel same = ReflFixtures.tinyUnet(m, 5, 16);
            UNet2DConditionModel other = ReflFixtures.tinyUnet(m, 7, 16);
            AutoencoderKL vae = ReflFixtures.tinyVae(m, 6);
            PromptBatch p = batch(m, 16, List.of("a red circle", "a red square"), true);
            RewardFeedbackStep.Builder b = RewardFeedbackStep.builder(unet, vae, ReflFixtures.ddpm(), List.of(ReflFixtures.REDNESS))
                    .inferenceSteps(5).lateSteps(3, 4).imageSize(16, 16).guidanceScale(3f);
            RewardFeedbackStep.Output plain = b.build().forward(p, 4, 21, new SplittableRandom(9));
            assertEquals(null, plain.anchorLoss());
            RewardFeedbackStep.Output zero = b.anchor(same, 2.0).build().forward(p, 4, 21, new SplittableRandom(9));
            assertEquals(0f, zero.anchorLoss().getFloat(), 0f);
            assertEquals(plain.loss().getFloat(), zero.loss().getFloat(), 0f);
            RewardFeedbackStep step = b.anchor(other, 2.0).build();
            RewardFeedbackStep.Output out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = step.forward(p, 4, 21, new SplittableRandom(9));
                gc.backward(out.loss());
            }
            float anchor = out.anchorLoss().getFloat();
            assertTrue(anchor > 0, "anchor " + anchor);
            assertEquals(plain.feedbackLoss().getFloat(), out.feedbackLoss().getFloat(), 0f);
            assertEquals(out.feedbackLoss().getFloat() + anchor, out.loss().getFloat(), 1e-6f);
            assertTrue(GradientClipping.globalNorm(unet.namedParameters().values()) > 0);
            assertNoGradients("reference UNet", other.namedParameters());
            assertThrows(IllegalArgumentException.class, () -> b.anchor(unet, 1.0));
            assertThrows(IllegalArgumentException.class, () -> b.anchor(other, -1.0));
        }
    }

    /**
     * A tiny UNet trained by ReFL (through core's Trainer: AdamW, clipping, EMA) on the toy
     * "redness" reward: the reward of fully sampled images rises; a second run from the same seed
     * repeats every loss exactly; no array outlives its step.
     */
    @Test
    void toyRewardRisesDeterministicallyWithoutLeaks() {
        int steps = 30;
        Run a = train(steps);
        Run b = train(steps);
        LOG.info("ReFL toy reward: redness {} -> {} over {} steps; losses {} ... {}", a.before, a.after, steps,
                a.losses.get(0), a.losses.get(steps - 1));
        assertEquals(a.losses, b.losses, "same seed, same losses");
        assertEquals(a.after, b.after, 0.0);
        assertTrue(a.after > a.before + 0.2, "redness " + a.before + " -> " + a.after);
        // from the second step on (the first creates the optimizer's and EMA's state), nothing accumulates
        assertEquals(1, a.arrayCounts.subList(1, steps).stream().distinct().count(), "managed arrays " + a.arrayCounts);
    }

    private record Run(List<Double> losses, double before, double after, List<Integer> arrayCounts) {}

    private static Run train(int steps) {
        try (NDManager m = NDManager.newBaseManager()) {
            UNet2DConditionModel unet = ReflFixtures.tinyUnet(m, 5, 16);
            AutoencoderKL vae = ReflFixtures.tinyVae(m, 6);
            RewardFeedbackStep step = RewardFeedbackStep.builder(unet, vae, ReflFixtures.ddpm(),
                            List.of(ReflFixtures.REDNESS))
                    .loss(new MultiRewardLoss(1, new double[] {2}, new double[] {1}))
                    .inferenceSteps(5).lateSteps(3, 4).imageSize(16, 16).build();
            var prompts = PromptBatch.sampler(ReflFixtures.prompts(), 2, ReflFixtures.hashedContext(16), m, null);
            double before = redness(step, vae, m);
            List<Integer> counts = new ArrayList<>();
            Trainer.Result r = Trainer.builder(unet, step.lossFunction(prompts))
                    .optimizer(AdamW.builder().weightDecay(1e-2).build(unet.namedParameters()))
                    .schedule(LearningRateSchedule.constant(5e-3))
                    .clipGradNorm(1.0)
                    .ema(EMA.of(unet, EMA.Decay.constant(0.9)))
                    .totalSteps(steps)
                    .seed(11)
                    .progressBar(false)
                    .listener(s -> counts.add(m.getManagedArrays().size()))
                    .build()
                    .run();
            double after = redness(step, vae, m);
            return new Run(r.metrics().stream().map(StepMetrics::loss).toList(), before, after, counts);
        }
    }

    /** Mean redness of fully sampled images for fixed prompts and seeds (live weights). */
    private static double redness(RewardFeedbackStep step, AutoencoderKL vae, NDManager m) {
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            PromptBatch p = PromptBatch.sampler(ReflFixtures.prompts(), 4, ReflFixtures.hashedContext(16), m, null)
                    .apply(new SplittableRandom(123));
            NDArray x = step.sampleWithoutGradient(p, 77, step.inferenceSteps());
            return ReflFixtures.REDNESS.score(vae.imageFromLatents(x), p.prompts()).mean().getFloat();
        }
    }
}
