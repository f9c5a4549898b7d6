package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingLoopTest {

    private static final TrainingLoop LOOP = new TrainingLoop(100, 8, 1e-3, 10, 0.01, 7, 25, 0, false);

    /** A job's options as the training classes declare them. */
    record Job(int width, TrainingLoop loop, double emaMaxDecay) implements TrainingLoop.Holder<Job> {
        @Override
        public Job withLoop(TrainingLoop l) {
            return new Job(width, l, emaMaxDecay);
        }
    }

    @Test
    void rejectsWhatTheTrainerCouldNotRun() {
        assertThrows(IllegalArgumentException.class, () -> new TrainingLoop(0, 8, 1e-3, 0, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingLoop(10, 0, 1e-3, 0, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingLoop(10, 8, -1e-3, 0, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingLoop(10, 8, Double.NaN, 0, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingLoop(10, 8, Double.POSITIVE_INFINITY, 0, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingLoop(10, 8, 1e-3, -1, 0, 0, 0, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new TrainingLoop(10, 8, 1e-3, 0, -0.1, 0, 0, 0, false));
        // a warm-up longer than the run, no checkpoints before the end, a rate of 0: all allowed
        new TrainingLoop(10, 8, 0, 50, 0, 0, -1, -1, true);
    }

    @Test
    void withersChangeOneSettingAndStepsCutTheWarmup() {
        assertEquals(new TrainingLoop(5, 8, 1e-3, 5, 0.01, 7, 25, 0, false), LOOP.withSteps(5));
        assertEquals(new TrainingLoop(500, 8, 1e-3, 10, 0.01, 7, 25, 0, false), LOOP.withSteps(500));
        assertEquals(new TrainingLoop(100, 2, 1e-3, 10, 0.01, 7, 25, 0, false), LOOP.withBatchSize(2));
        assertEquals(new TrainingLoop(100, 8, 5e-4, 10, 0.01, 7, 25, 0, false), LOOP.withLearningRate(5e-4));
        assertEquals(new TrainingLoop(100, 8, 1e-3, 3, 0.01, 7, 25, 0, false), LOOP.withWarmupSteps(3));
        assertEquals(new TrainingLoop(100, 8, 1e-3, 10, 0.01, 1, 25, 0, false), LOOP.withSeed(1));
        assertEquals(new TrainingLoop(100, 8, 1e-3, 10, 0.01, 7, 5, 0, false), LOOP.withCheckpointEvery(5));
        assertEquals(new TrainingLoop(100, 8, 1e-3, 10, 0.01, 7, 25, 40, false), LOOP.withStopAfter(40));
        assertEquals(new TrainingLoop(100, 8, 1e-3, 10, 0.01, 7, 25, 0, true), LOOP.withProgressBar(true));
        assertThrows(IllegalArgumentException.class, () -> LOOP.withSteps(0));
    }

    @Test
    void holdersGetTheLoopWithersAndFlatJson() {
        Job job = new Job(16, LOOP, 0.99);
        Job changed = job.withSteps(4).withBatchSize(2).withLearningRate(1e-2).withSeed(3).withCheckpointEvery(2)
                .withStopAfter(3).withProgressBar(true);
        assertEquals(new Job(16, new TrainingLoop(4, 2, 1e-2, 4, 0.01, 3, 2, 3, true), 0.99), changed);
        assertEquals(new Job(16, new TrainingLoop(4, 2, 1e-2, 1, 0.01, 3, 2, 3, true), 0.99), changed.withWarmupSteps(1));
        JsonObject json = job.toJson();
        assertEquals(List.of("width", "steps", "batchSize", "learningRate", "warmupSteps", "weightDecay", "seed",
                "checkpointEvery", "stopAfter", "progressBar", "emaMaxDecay"), List.copyOf(json.keySet()));
        assertEquals(100, json.get("steps").getAsLong());
        assertEquals(1e-3, json.get("learningRate").getAsDouble(), 0);
        assertEquals(0.99, json.get("emaMaxDecay").getAsDouble(), 0);
    }

    @Test
    void builderTakesTheScheduleStepsSeedAndOutputsFromTheLoop(@TempDir Path dir) {
        TrainingLoop loop = new TrainingLoop(10, 1, 1e-2, 4, 0.0, 42, 3, 5, false);
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp model = TinyMlp.create(m, 1);
            Trainer.Result r = Trainer.builder(model, model::loss).loop(loop, dir.resolve("out"), dir.resolve("work"), false)
                    .build().run();
            assertEquals(5, r.endStep());
            LearningRateSchedule expected = LearningRateSchedule.warmupCosineToTenth(1e-2, 4, 10);
            for (StepMetrics s : r.metrics()) {
                assertEquals(expected.lr(s.step() - 1), s.lr(), 0);
            }
            assertEquals(dir.resolve("work/checkpoints/checkpoint-5"), r.lastCheckpoint().orElseThrow());
            JsonObject state = TrainingCheckpoint.state(r.lastCheckpoint().get());
            assertEquals(10, state.get("total_steps").getAsLong());
            assertEquals(42, state.get("seed").getAsLong());
            assertTrue(Files.isDirectory(dir.resolve("work/checkpoints/checkpoint-3")));
            assertTrue(Files.isRegularFile(dir.resolve("out/metrics.jsonl")));
        }
    }
}
