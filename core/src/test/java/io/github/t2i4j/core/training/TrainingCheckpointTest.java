package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainingCheckpointTest {

    private static JsonObject state(long step) {
        JsonObject s = new JsonObject();
        s.addProperty("step", step);
        s.addProperty("seed", 5);
        return s;
    }

    private static void train(TinyMlp model, AdamW opt, EMA ema, long step) {
        opt.zeroGrad();
        GradientAccumulation.accumulate(1, i -> model.loss(new MicroBatch(step, 0, 1, 5)));
        opt.step(1e-2);
        ema.update();
    }

    @Test
    void crashBeforeRenameLeavesThePreviousCheckpointLoadable(@TempDir Path root) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp model = TinyMlp.create(m, 1);
            AdamW opt = AdamW.builder().build(model.namedParameters());
            EMA ema = EMA.of(model, EMA.Decay.constant(0.9));
            train(model, opt, ema, 0);
            Path first = TrainingCheckpoint.save(root, model, opt, ema, state(10), 0);
            assertEquals(root.resolve("checkpoint-10"), first);
            float[] savedW = model.fc1.namedParameters().get("weight").getArray().toFloatArray();

            // step 20 is written completely but the process dies before the rename
            train(model, opt, ema, 1);
            Path staged = TrainingCheckpoint.stage(root, model, opt, ema, state(20));
            assertTrue(Files.isRegularFile(staged.resolve(TrainingCheckpoint.STATE)));
            assertEquals(first, TrainingCheckpoint.latest(root).orElseThrow());

            // a fresh process resumes from step 10 with the weights of step 10
            TinyMlp fresh = TinyMlp.create(m, 9);
            AdamW freshOpt = AdamW.builder().build(fresh.namedParameters());
            EMA freshEma = EMA.of(fresh, EMA.Decay.constant(0.9));
            JsonObject st = TrainingCheckpoint.load(first, fresh, freshOpt, freshEma);
            assertEquals(10, st.get("step").getAsLong());
            assertEquals(1, freshOpt.stepCount());
            assertEquals(1, freshEma.updateCount());
            org.junit.jupiter.api.Assertions.assertArrayEquals(
                    savedW, fresh.fc1.namedParameters().get("weight").getArray().toFloatArray());

            // the next save removes the stale temporary folder
            TrainingCheckpoint.save(root, model, opt, ema, state(20), 0);
            assertFalse(Files.exists(staged));
            try (Stream<Path> s = Files.list(root)) {
                assertEquals(
                        List.of("checkpoint-10", "checkpoint-20"),
                        s.map(p -> p.getFileName().toString()).sorted().toList());
            }
        }
    }

    @Test
    void latestSkipsFoldersWithoutStateAndPrunes(@TempDir Path root) throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp model = TinyMlp.create(m, 1);
            AdamW opt = AdamW.builder().build(model.namedParameters());
            for (long step : new long[] {5, 10, 100, 50}) {
                TrainingCheckpoint.save(root, model, opt, null, state(step), 3);
            }
            // numeric order, not lexical: 100 is the newest; 5 was pruned
            assertEquals(
                    List.of("checkpoint-10", "checkpoint-50", "checkpoint-100"),
                    TrainingCheckpoint.list(root).stream()
                            .map(p -> p.getFileName().toString())
                            .toList());
            Files.createDirectories(root.resolve("checkpoint-200")); // no state file: incomplete
            assertEquals(root.resolve("checkpoint-100"), TrainingCheckpoint.latest(root).orElseThrow());
            assertFalse(Files.exists(root.resolve("checkpoint-100").resolve(TrainingCheckpoint.EMA_FILE)));
            // saving the same step again replaces it
            TrainingCheckpoint.save(root, model, opt, null, state(100), 0);
            assertEquals(100, TrainingCheckpoint.state(root.resolve("checkpoint-100")).get("step").getAsLong());
            assertTrue(TrainingCheckpoint.latest(Path.of("/nonexistent/t2i4j")).isEmpty());
        }
    }
}
