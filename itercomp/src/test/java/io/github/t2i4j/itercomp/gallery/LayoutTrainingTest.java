package io.github.t2i4j.itercomp.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.training.MetricsLog;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.TrainingLoop;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** The GLIGEN job on the tiny world pipeline: a few steps, what it changes, exact resume. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LayoutTrainingTest {
    private static final long STEPS = 3;

    @TempDir static Path tmp;
    private Path out;
    private LayoutTraining.Result result;

    static LayoutTraining.Options tiny(long steps) {
        return new LayoutTraining.Options(0.3, 0.3, 4, 8, new TrainingLoop(steps, 2, 1e-3, 1, 0.0, 5, 0, 0, false), 0.99,
                100, 0, 0);
    }

    /** The uninterrupted run, with the held-out evaluation and one sample image. */
    @BeforeAll
    void train() throws Exception {
        out = tmp.resolve("gligen");
        result = LayoutTraining.train(tiny(STEPS).withEvaluation(1, 1), GalleryFixtures.tinyPipeline(), out,
                tmp.resolve("work"), false);
    }

    @Test
    void trainsOnlyTheGroundingLayers() throws Exception {
        Path pipe = GalleryFixtures.tinyPipeline();
        LayoutTraining.Result r = result;
        assertEquals(STEPS, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0, "loss " + r.finalLoss());
        assertTrue(Double.isFinite(r.validationLoss()) && r.validationLoss() > 0, "validation " + r.validationLoss());
        assertTrue(Double.isFinite(r.baseValidationLoss()) && r.baseValidationLoss() > 0);
        assertTrue(r.trainableParameters() > 0);
        for (String f : List.of("config.json", GligenUNet.WEIGHTS_FILE, "metrics.jsonl", "loss.png", "samples.png")) {
            assertTrue(Files.isRegularFile(out.resolve(f)), f);
        }
        assertEquals("gated", JsonFiles.readObject(out.resolve("config.json"), "config").get("attention_type").getAsString());
        assertEquals(STEPS, MetricsLog.read(out.resolve("metrics.jsonl")).size());

        try (SafetensorsFile baseFile = SafetensorsFile.open(pipe.resolve("unet/" + UNet2DConditionModel.WEIGHTS_FILE));
                SafetensorsFile trained = SafetensorsFile.open(out.resolve(GligenUNet.WEIGHTS_FILE));
                NDManager m = NDManager.newBaseManager()) {
            // the base UNet's tensors are exactly the base's
            assertTrue(trained.names().containsAll(baseFile.names()));
            for (String n : baseFile.names()) {
                assertEquals(baseFile.bytes(n), trained.bytes(n), n + " changed");
            }
            // the rest are GLIGEN's, and the gates have opened: at 100x the rate, by more than the
            // other parameters' rate could move them in three steps
            int gates = 0;
            double widest = 0;
            for (String n : trained.names()) {
                if (!baseFile.names().contains(n)) {
                    assertTrue(GligenUNet.isGroundingParameter(n), n);
                }
                if (n.endsWith(".fuser.alpha_attn")) {
                    assertNotEquals(0f, trained.load(n, m).getFloat(), n);
                    gates++;
                }
                if (LayoutTraining.isGate(n)) {
                    widest = Math.max(widest, Math.abs(trained.load(n, m).getFloat()));
                }
            }
            assertTrue(gates >= 3, "gates " + gates);
            assertTrue(widest > 0.02, "widest gate " + widest);
        }
        // the job's output is what the generator loads
        try (NDManager m = NDManager.newBaseManager()) {
            GligenUNet g = GligenUNet.fromPretrained(out, m);
            assertEquals(g.unet().transformerBlocks().size(), g.fusers().size());
        }
    }

    @Test
    void aResumedRunReproducesTheUninterruptedRun() throws Exception {
        Path pipe = GalleryFixtures.tinyPipeline();
        Path dir = tmp.resolve("resumed");
        Path work = tmp.resolve("w-resumed");
        LayoutTraining.Result first = LayoutTraining.train(tiny(STEPS).withStopAfter(1), pipe, dir, work, false);
        assertEquals(1, first.steps());
        LayoutTraining.Result second = LayoutTraining.train(tiny(STEPS), pipe, dir, work, true);
        assertEquals(STEPS, second.steps());

        List<StepMetrics> a = MetricsLog.read(out.resolve("metrics.jsonl"));
        List<StepMetrics> b = MetricsLog.read(dir.resolve("metrics.jsonl"));
        assertEquals(STEPS, a.size());
        assertEquals(STEPS, b.size());
        for (int i = 0; i < STEPS; i++) {
            assertEquals(a.get(i).loss(), b.get(i).loss(), 1e-6, "loss at step " + (i + 1));
            assertEquals(a.get(i).gradNorm(), b.get(i).gradNorm(), 1e-6, "grad norm at step " + (i + 1));
            assertEquals(a.get(i).lr(), b.get(i).lr(), 0);
        }
        assertNotEquals(a.get(0).loss(), a.get(1).loss());
        try (SafetensorsFile x = SafetensorsFile.open(out.resolve(GligenUNet.WEIGHTS_FILE));
                SafetensorsFile y = SafetensorsFile.open(dir.resolve(GligenUNet.WEIGHTS_FILE))) {
            assertEquals(x.names(), y.names());
            for (String n : x.names()) {
                assertEquals(x.bytes(n), y.bytes(n), n);
            }
        }
    }
}
