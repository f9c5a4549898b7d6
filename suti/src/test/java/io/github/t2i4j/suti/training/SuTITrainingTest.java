package io.github.t2i4j.suti.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.training.MetricsLog;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.TrainingCheckpoint;
import io.github.t2i4j.suti.model.DemonstrationFeatures;
import io.github.t2i4j.suti.model.SuTIConfig;
import io.github.t2i4j.suti.model.SuTIUNet;
import io.github.t2i4j.suti.model.TinyBase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SuTI training job on the tiny base pipeline: a few steps, exact resume, the dropout, the data. */
class SuTITrainingTest {

    private static SuTITraining.Options tiny(long steps) {
        return SuTITraining.Options.defaults().withSteps(steps).withBatchSize(2).withLearningRates(1e-3, 0)
                .withCheckpointEvery(1).withEvaluation(0, 0, 1).withProgressBar(false).withSeed(3);
    }

    private static WorldSubjectPairs data() {
        return WorldSubjectPairs.training(4, TinyBase.SIZE, 0, WorldSubjectPairs.Targets.NEW_CONTEXT);
    }

    private static WorldSubjectPairs heldOut() {
        return WorldSubjectPairs.heldOut(1, TinyBase.SIZE, 0);
    }

    @Test
    void threeTinyStepsTrainOnlyTheNeighbourLayersAndExportAStrictFolder(@TempDir Path tmp) throws Exception {
        SuTITraining.Result r = SuTITraining.train(tiny(3).withEvaluation(2, 1, 2), TinyBase.dir(), data(), heldOut(),
                tmp.resolve("suti"), tmp.resolve("work"), false);
        assertEquals(3, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0, "loss " + r.finalLoss());
        assertTrue(Double.isFinite(r.validationLoss()) && Double.isFinite(r.validationLossWithoutDemos()));
        assertEquals(3, MetricsLog.read(tmp.resolve("suti/metrics.jsonl")).size());
        for (String f : List.of("loss.png", "samples.png", SuTIConfig.FILE, "config.json")) {
            assertTrue(Files.isRegularFile(tmp.resolve("suti").resolve(f)), f);
        }
        assertEquals(3, TrainingCheckpoint.step(TrainingCheckpoint.latest(tmp.resolve("work/checkpoints")).orElseThrow()));
        try (NDManager m = NDManager.newBaseManager()) {
            SuTIUNet suti = SuTIUNet.fromPretrained(tmp.resolve("suti"), m);
            assertEquals(suti.neighborParameterCount(), r.trainableParameters());
            UNet2DConditionModel base = UNet2DConditionModel.fromPretrained(TinyBase.dir().resolve("unet"), m);
            Map<String, ai.djl.nn.Parameter> trained = suti.unet().namedParameters();
            base.namedParameters().forEach((name, p) -> assertArrayEquals(p.getArray().toFloatArray(),
                    trained.get(name).getArray().toFloatArray(), "the base stays frozen: " + name));
            suti.neighborParameters().forEach((name, p) -> {
                if (name.endsWith("to_out.0.weight")) {
                    assertTrue(anyNonZero(p.getArray().toFloatArray()), name + " trained");
                }
            });
        }
    }

    @Test
    void aResumedRunComputesExactlyWhatTheUninterruptedRunComputed(@TempDir Path tmp) throws Exception {
        // with the subject-weighted loss, which draws nothing from the generator
        SuTITraining.Options o = tiny(3).withSubjectLossWeight(5);
        SuTITraining.train(o, TinyBase.dir(), data(), null, tmp.resolve("a"), tmp.resolve("a-work"), false);
        SuTITraining.Result first = SuTITraining.train(o.withStopAfter(2), TinyBase.dir(), data(), null,
                tmp.resolve("b"), tmp.resolve("b-work"), false);
        assertEquals(2, first.steps());
        SuTITraining.Result resumed = SuTITraining.train(o, TinyBase.dir(), data(), null, tmp.resolve("b"),
                tmp.resolve("b-work"), true);
        assertEquals(3, resumed.steps());
        List<StepMetrics> a = MetricsLog.read(tmp.resolve("a/metrics.jsonl"));
        List<StepMetrics> b = MetricsLog.read(tmp.resolve("b/metrics.jsonl"));
        assertEquals(3, b.size());
        for (int i = 0; i < 3; i++) {
            assertEquals(a.get(i).loss(), b.get(i).loss(), 0.0, "loss of step " + (i + 1));
            assertEquals(a.get(i).gradNorm(), b.get(i).gradNorm(), 0.0, "gradient norm of step " + (i + 1));
        }
        Path ca = tmp.resolve("a-work/checkpoints").resolve(TrainingCheckpoint.name(3));
        Path cb = tmp.resolve("b-work/checkpoints").resolve(TrainingCheckpoint.name(3));
        for (String file : List.of(TrainingCheckpoint.MODEL, TrainingCheckpoint.EMA_FILE, TrainingCheckpoint.OPTIMIZER)) {
            assertSameTensors(ca.resolve(file), cb.resolve(file));
        }
    }

    @Test
    void aFreshSuTIIsItsBaseSoTheDemonstrationsChangeNoLossBeforeTraining() {
        try (StableDiffusionPipeline base = TinyBase.load(); NDManager m = NDManager.newBaseManager()) {
            SuTIUNet fresh = SuTIUNet.fromBase(UNet2DConditionModel.fromPretrained(TinyBase.dir().resolve("unet"), m),
                    SuTIConfig.defaults(), 1);
            double[] loss = SuTITraining.validationLoss(base, fresh, heldOut(), 2, 5, m);
            assertTrue(loss[0] > 0 && Double.isFinite(loss[0]));
            assertEquals(loss[1], loss[0], 0.0);
        }
    }

    @Test
    void trainingTheBaseTooUpdatesEveryWeightAtItsOwnRate(@TempDir Path tmp) throws Exception {
        SuTITraining.Result r = SuTITraining.train(tiny(1).withLearningRates(1e-3, 1e-4), TinyBase.dir(), data(), null,
                tmp.resolve("suti"), tmp.resolve("work"), false);
        try (NDManager m = NDManager.newBaseManager()) {
            SuTIUNet suti = SuTIUNet.fromPretrained(tmp.resolve("suti"), m);
            assertEquals(suti.unet().parameterCount(), r.trainableParameters());
            UNet2DConditionModel base = UNet2DConditionModel.fromPretrained(TinyBase.dir().resolve("unet"), m);
            assertFalse(Arrays.equals(base.namedParameters().get("conv_in.weight").getArray().toFloatArray(),
                    suti.unet().namedParameters().get("conv_in.weight").getArray().toFloatArray()));
        }
    }

    @Test
    void theDropoutDropsTextAndDemonstrationsTenPercentAndDemonstrationsTenPercent() {
        ConditionDropout d = ConditionDropout.defaults();
        SplittableRandom rng = new SplittableRandom(4);
        Map<ConditionDropout.Kept, Integer> counts = new EnumMap<>(ConditionDropout.Kept.class);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            counts.merge(d.draw(rng), 1, Integer::sum);
        }
        assertEquals(0.1, counts.get(ConditionDropout.Kept.NONE) / (double) n, 0.003);
        assertEquals(0.1, counts.get(ConditionDropout.Kept.TEXT) / (double) n, 0.003);
        assertEquals(0.8, counts.get(ConditionDropout.Kept.BOTH) / (double) n, 0.003);
        assertThrows(IllegalArgumentException.class, () -> new ConditionDropout(0.6, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new ConditionDropout(-0.1, 0.1));
    }

    @Test
    void aBatchDropsTheTextToTheEmptyCaptionAndTheDemonstrationsToZeroTokens() {
        try (StableDiffusionPipeline base = TinyBase.load(); NDManager m = NDManager.newBaseManager()) {
            SuTIUNet suti = SuTIUNet.fromBase(base.unet(),
                    SuTIConfig.defaults().withPlacement(SuTIConfig.Placement.MID_AND_UP_PER_LEVEL), 1);
            SuTITraining.Options o = tiny(1).withBatchSize(12).withDropout(new ConditionDropout(0.3, 0.3));
            SuTITraining.Batches batches = new SuTITraining.Batches(base, suti, o, m);
            SuTITraining.Batch b = batches.draw(data(), new SplittableRandom(8));
            assertTrue(b.k() >= 3 && b.k() <= 5, "K " + b.k());
            assertEquals(12 * b.k(), b.demoImages().size());
            assertEquals(b.demoImages().size(), b.demoCaptions().size());
            assertTrue(b.kept().contains(ConditionDropout.Kept.NONE) && b.kept().contains(ConditionDropout.Kept.TEXT)
                    && b.kept().contains(ConditionDropout.Kept.BOTH), b.kept().toString());
            DemonstrationFeatures demos = batches.demonstrationFeatures(b);
            assertEquals(2, demos.tokens().size(), "the bottleneck's and the 8x8 level's features");
            for (int i = 0; i < 12; i++) {
                ConditionDropout.Kept kept = b.kept().get(i);
                assertEquals(!kept.text(), b.prompts().get(i).isEmpty(), "prompt of example " + i);
                for (Map.Entry<String, NDArray> e : demos.tokens().entrySet()) {
                    float max = e.getValue().get(i).abs().max().getFloat();
                    assertEquals(!kept.demonstrations(), max == 0f, e.getKey() + " of example " + i + " (" + kept + ")");
                }
            }
            // the same generator state draws the same batch
            SuTITraining.Batch again = batches.draw(data(), new SplittableRandom(8));
            assertEquals(b.prompts(), again.prompts());
            assertEquals(b.demoCaptions(), again.demoCaptions());
        }
    }

    @Test
    void worldSubjectPairsAreAFunctionOfTheIndexWithTheTargetInANewContext() {
        WorldSubjectPairs pairs = data();
        assertEquals(400 * 4, pairs.size());
        ApprenticeshipExample a = pairs.example(7);
        ApprenticeshipExample again = pairs.example(7);
        assertEquals(5, a.demonstrations());
        assertEquals(a.prompt(), again.prompt());
        assertEquals(a.demoCaptions(), again.demoCaptions());
        assertArrayEquals(rgb(a.target()), rgb(again.target()));
        assertEquals(TinyBase.SIZE, a.target().getWidth());
        for (int j = 0; j < 5; j++) {
            assertFalse(Arrays.equals(rgb(a.target()), rgb(a.demoImages().get(j))), "the target is no demonstration");
        }
        assertEquals(pairs.subject(7), pairs.subject(407));
        assertFalse(a.prompt().equals(pairs.example(407).prompt()) && Arrays.equals(rgb(a.target()), rgb(pairs.example(407).target())));
        assertThrows(IndexOutOfBoundsException.class, () -> pairs.example(pairs.size()));
        int[] s = SuTITraining.subset(new SplittableRandom(1), 5, 3);
        assertEquals(3, Arrays.stream(s).distinct().count());
        assertTrue(Arrays.stream(s).allMatch(i -> i >= 0 && i < 5));
    }

    @Test
    void clusterLikePairsShowTheTargetInADemonstratedContextWithItsCaption() {
        WorldSubjectPairs fresh = data();
        WorldSubjectPairs cluster = WorldSubjectPairs.training(4, TinyBase.SIZE, 0, WorldSubjectPairs.Targets.DEMONSTRATED_CONTEXT);
        for (long i : new long[] {3, 7, 811}) {
            ApprenticeshipExample a = cluster.example(i);
            assertTrue(a.demoCaptions().contains(a.prompt()), "the prompt is a demonstration's caption: " + a.prompt());
            assertFalse(fresh.example(i).demoCaptions().contains(fresh.example(i).prompt()), "new contexts are new");
            assertEquals(a.prompt(), cluster.example(i).prompt());
            assertArrayEquals(rgb(a.target()), rgb(cluster.example(i).target()));
        }
    }

    private static int[] rgb(java.awt.image.BufferedImage i) {
        return i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth());
    }

    private static boolean anyNonZero(float[] v) {
        for (float x : v) {
            if (x != 0f) {
                return true;
            }
        }
        return false;
    }

    private static void assertSameTensors(Path a, Path b) {
        try (SafetensorsFile fa = SafetensorsFile.open(a); SafetensorsFile fb = SafetensorsFile.open(b);
                NDManager m = NDManager.newBaseManager()) {
            assertEquals(fa.names(), fb.names());
            for (String name : fa.names()) {
                assertArrayEquals(fa.load(name, m).toFloatArray(), fb.load(name, m).toFloatArray(), a.getFileName() + " " + name);
            }
        }
    }
}
