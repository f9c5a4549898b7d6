package io.github.t2i4j.star.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.LearningRateSchedule;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.Trainer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The VQ loss with the straight-through estimator, codebook upkeep and a short training run. */
class VQTokenizerTrainingTest {
    private static final Logger LOG = LoggerFactory.getLogger(VQTokenizerTrainingTest.class);

    @Test
    void vqLossAndStraightThroughGradients() {
        VQVAEConfig c = VQVAEConfig.fromJson(Golden.dir("var_vqvae").resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager();
                SafetensorsFile io = SafetensorsFile.open(Golden.dir("var_vqvae").resolve("io.safetensors"))) {
            MultiScaleVQTokenizer t =
                    MultiScaleVQTokenizer.fromCheckpoint(Golden.dir("var_vqvae").resolve("weights.safetensors"), c, m);
            NDArray f = io.load("f", m, DataType.FLOAT32);
            f.setRequiresGradient(true);
            VectorQuantizer2.VQOutput out;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                out = t.quantize().forward(f, c.vPatchNums());
                gc.backward(out.fhat().sum().add(out.vqLoss()));
            }
            // forward values: the final f-hat, and the loss (both MSE terms have the same value)
            Golden.assertClose("ste fhat", io.load("fhat.3", m), out.fhat(), 1e-5);
            double expected = 0;
            for (int k = 0; k < 4; k++) {
                expected += (1 + c.beta()) * io.load("fhat." + k, m).sub(io.load("f", m)).square().mean().getFloat();
            }
            assertEquals(expected / 4, out.vqLoss().getFloat(), 1e-6);
            // f's gradient: 1 from the straight-through sum plus beta * d MSE(fhat.detach, f)/df
            NDArray commitGrad = m.zeros(f.getShape());
            for (int k = 0; k < 4; k++) {
                commitGrad = commitGrad.add(f.stopGradient().sub(io.load("fhat." + k, m)).mul(2f / f.size()));
            }
            NDArray expectedGrad = commitGrad.mul((float) c.beta() / 4).add(1f);
            Golden.assertClose("grad f", expectedGrad, f.getGradient(), 1e-6);
            // the codebook and the phis get gradients from the codebook term
            assertTrue(t.quantize().codebook().getGradient().abs().sum().getFloat() > 0);
            assertTrue(
                    t.namedParameters().get("quantize.quant_resi.qresi_ls.0.weight").getArray().getGradient()
                                    .abs().sum().getFloat() > 0);
            long total = 0;
            for (long[] h : out.hits()) {
                for (long x : h) {
                    total += x;
                }
            }
            assertEquals(2 * (1 + 4 + 9 + 16), total);
            assertEquals(new Shape(2 * 30, 8), out.inputs().getShape());
        }
    }

    @Test
    void usageAndDeadCodeReinitialisation() {
        CodebookUsage u = new CodebookUsage(2, 4);
        u.record(new long[][] {{10, 0, 0, 0}, {5, 5, 0, 0}}, 20); // margin 20/4*0.08 = 0.4
        assertArrayEquals(new double[] {25, 50}, u.usagePercent(), 1e-9);
        assertEquals(50, u.overallUsagePercent(), 1e-9);
        assertArrayEquals(new int[] {2, 3}, u.deadCodes());
        u.record(new long[][] {{0, 0, 10, 0}, {0, 0, 0, 0}}, 20);
        assertEquals(9.0, u.averageHits(0, 0), 1e-9); // 0.9 * 10
        assertEquals(1.0, u.averageHits(0, 2), 1e-9);
        assertArrayEquals(new int[] {3}, u.deadCodes());

        VQVAEConfig c = VQVAEConfig.fromJson(Golden.dir("var_vqvae").resolve("config.json"));
        try (NDManager m = NDManager.newBaseManager()) {
            VectorQuantizer2 q = new VectorQuantizer2(c);
            q.initialize(m, DataType.FLOAT32);
            float[] before = q.codebook().toFloatArray();
            NDArray candidates = m.arange(5 * 8).reshape(5, 8).toType(DataType.FLOAT32, false).add(100f);
            q.reinitCodes(new int[] {3, 60}, candidates, new Random(1));
            float[] after = q.codebook().toFloatArray();
            for (int code = 0; code < 64; code++) {
                float first = after[code * 8];
                if (code == 3 || code == 60) {
                    int row = Math.round(first - 100) / 8;
                    assertEquals(100 + row * 8, first, 0, "code " + code + " takes a candidate row");
                    for (int j = 0; j < 8; j++) {
                        assertEquals(100 + row * 8 + j, after[code * 8 + j], 0);
                    }
                } else {
                    for (int j = 0; j < 8; j++) {
                        assertEquals(before[code * 8 + j], after[code * 8 + j], 0, "code " + code + " unchanged");
                    }
                }
            }
        }
    }

    @Test
    void shortTrainingRunLowersTheReconstructionError() {
        // a tiny tokenizer: 16x16 images, 8x8 latents, scales 1,2,4,8, 32 codes of width 4
        JsonObject o = new JsonObject();
        o.addProperty("vocab_size", 32);
        o.addProperty("z_channels", 4);
        o.addProperty("ch", 32);
        o.addProperty("num_res_blocks", 1);
        VQVAEConfig c = VQVAEConfig.fromJson(o).withChMult(List.of(1, 1)).withPatchNums(List.of(1, 2, 4, 8));
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(7);
            MultiScaleVQTokenizer t = MultiScaleVQTokenizer.fromConfig(c);
            t.initialize(m, DataType.FLOAT32);
            AdamW opt = AdamW.builder().build(t.namedParameters());
            VQTokenizerTraining training = new VQTokenizerTraining(t, 1.0, 10, 3).optimizer(opt);
            // images of four flat 8x8 quadrants in random colours
            NDArray data = quadrantImages(m, 64, new Random(5));
            int batch = 8;
            List<StepMetrics> metrics =
                    Trainer.builder(
                                    t,
                                    mb -> {
                                        int start = (int) (mb.step() % 8) * batch;
                                        return training.loss(data.get(start + ":" + (start + batch)));
                                    })
                            .optimizer(opt)
                            .schedule(LearningRateSchedule.constant(2e-3))
                            .totalSteps(60)
                            .seed(1)
                            .progressBar(false)
                            .build()
                            .run()
                            .metrics();
            double first = metrics.subList(0, 5).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = metrics.subList(55, 60).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            NDArray rec = t.reconstruct(data.get("0:16"));
            double recMse = rec.sub(data.get("0:16")).square().mean().getFloat();
            LOG.info(
                    "tiny tokenizer, 60 steps: loss {} -> {}, reconstruction MSE {}, {}, {} codes re-initialised",
                    first, last, recMse, training.usage(), training.reinitialisedCodes());
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
            assertEquals(60, training.usage().records());
            assertTrue(training.usage().overallUsagePercent() > 0);
            assertTrue(Double.isFinite(training.lastVqLoss()) && Double.isFinite(training.lastReconstructionLoss()));
        }
    }

    private static NDArray quadrantImages(NDManager m, int n, Random rng) {
        float[] px = new float[n * 3 * 16 * 16];
        for (int i = 0; i < n; i++) {
            for (int q = 0; q < 4; q++) {
                float[] rgb = {rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1, rng.nextFloat() * 2 - 1};
                for (int ch = 0; ch < 3; ch++) {
                    for (int y = 0; y < 8; y++) {
                        for (int x = 0; x < 8; x++) {
                            int yy = y + (q / 2) * 8;
                            int xx = x + (q % 2) * 8;
                            px[((i * 3 + ch) * 16 + yy) * 16 + xx] = rgb[ch];
                        }
                    }
                }
            }
        }
        return m.create(px, new Shape(n, 3, 16, 16));
    }
}
