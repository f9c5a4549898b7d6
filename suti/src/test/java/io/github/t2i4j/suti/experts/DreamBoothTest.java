package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.tensor.NoGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DreamBoothTest {
    private static StableDiffusionPipeline base;
    private static List<BufferedImage> images;

    @BeforeAll
    static void setUp() {
        base = ExpertFixtures.pipeline();
        images = ExpertFixtures.instanceImages();
    }

    @AfterAll
    static void tearDown() {
        base.close();
    }

    private static DreamBooth.Options options() {
        return DreamBooth.Options.defaults(ExpertFixtures.IDENTIFIER, ExpertFixtures.CLASS)
                .withSteps(25).withLearningRate(1e-3).withBatchSize(2).withPrior(0, 0).withSeed(5);
    }

    /** The mean denoising MSE on the instance images at 6 fixed (timestep, noise) draws. */
    static double instanceLoss(UNet2DConditionModel unet, String prompt) {
        return NoGrad.run(() -> {
            try (NDManager m = NDManager.newBaseManager();
                    InstanceLatents latents = new InstanceLatents(base.vae(), images, ExpertFixtures.SIZE, m)) {
                NDArray context = DreamBooth.context(base, List.of(prompt, prompt, prompt), m);
                DenoisingLoss objective = new DenoisingLoss(new DDPMScheduler(base.scheduler().config()));
                double sum = 0;
                for (int k = 0; k < 6; k++) {
                    SplittableRandom rng = new SplittableRandom(1000 + k);
                    NDArray x = latents.sample(new int[] {0, 1, 2}, rng, m);
                    sum += objective.mse(unet, x, context, 3, rng, m)[0].getFloat();
                }
                return sum / 6;
            }
        });
    }

    @Test
    void fineTuningLowersTheInstanceLossAndLeavesTheBaseUNetBitIdentical() {
        DreamBooth.Options o = options();
        Map<String, float[]> before = ExpertFixtures.snapshot(base.unet());
        double baseLoss = instanceLoss(base.unet(), o.instancePrompt());
        try (DreamBooth.Expert expert = DreamBooth.fineTune(base, images, o)) {
            double tunedLoss = instanceLoss(expert.unet(), o.instancePrompt());
            assertTrue(tunedLoss < 0.8 * baseLoss, "instance loss " + baseLoss + " -> " + tunedLoss);
            assertEquals(25, expert.metrics().size());
            assertTrue(expert.fineTuneSeconds() > 0);
            assertTrue(expert.classImages().isEmpty());
            Map<String, float[]> after = ExpertFixtures.snapshot(base.unet());
            assertEquals(before.keySet(), after.keySet());
            before.forEach((name, v) -> assertArrayEquals(v, after.get(name), name));
            // the expert's UNet really differs, and its pipeline generates with it
            Map<String, float[]> tuned = ExpertFixtures.snapshot(expert.unet());
            assertFalse(Arrays.equals(before.get("conv_in.weight"), tuned.get("conv_in.weight")));
            GenerationRequest r = GenerationRequest.builder(o.instancePrompt()).steps(3).seed(1).build();
            try (StableDiffusionPipeline p = expert.pipeline()) {
                List<int[]> fromExpert = ExpertFixtures.pixels(p.generate(r).images());
                List<int[]> fromBase = ExpertFixtures.pixels(base.generate(r).images());
                assertFalse(Arrays.equals(fromExpert.get(0), fromBase.get(0)));
            }
        }
        // the base pipeline still works after the expert pipeline and the expert were closed
        base.generate(GenerationRequest.builder("a circle").steps(2).seed(0).build());
    }

    @Test
    void priorPreservationTermChangesTheTrainingAndSameSeedReproduces() {
        DreamBooth.Options noPrior = options().withSteps(6);
        DreamBooth.Options prior = noPrior.withPrior(1.0, 2).withClassImageSampling(2, 1f);
        Map<String, float[]> a;
        Map<String, float[]> b;
        Map<String, float[]> c;
        double[] lossesA;
        double[] lossesC;
        try (DreamBooth.Expert e = DreamBooth.fineTune(base, images, prior)) {
            assertEquals(2, e.classImages().size());
            a = ExpertFixtures.snapshot(e.unet());
            lossesA = e.metrics().stream().mapToDouble(s -> s.loss()).toArray();
        }
        try (DreamBooth.Expert e = DreamBooth.fineTune(base, images, prior)) {
            b = ExpertFixtures.snapshot(e.unet());
        }
        try (DreamBooth.Expert e = DreamBooth.fineTune(base, images, noPrior)) {
            c = ExpertFixtures.snapshot(e.unet());
            lossesC = e.metrics().stream().mapToDouble(s -> s.loss()).toArray();
        }
        a.forEach((name, v) -> assertArrayEquals(v, b.get(name), "same seed, " + name));
        assertFalse(Arrays.equals(a.get("conv_in.weight"), c.get("conv_in.weight")), "prior weight 1 vs 0");
        assertFalse(Arrays.equals(lossesA, lossesC));
    }
}
