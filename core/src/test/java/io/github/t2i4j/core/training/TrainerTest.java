package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.image.Images;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {

    private static Trainer.Builder trainer(TinyMlp model, long total, EMA ema) {
        return Trainer.builder(model, model::loss)
                .optimizer(
                        AdamW.builder()
                                .weightDecay(0.01)
                                .noDecay(AdamW.biasesAndNorms())
                                .build(model.namedParameters()))
                .schedule(LearningRateSchedule.warmupCosine(3e-2, Math.min(10, total), total, 3e-3))
                .clipGradNorm(1.0)
                .accumulation(2)
                .ema(ema)
                .totalSteps(total)
                .seed(42)
                .progressBar(false);
    }

    @Test
    void lossDecreasesAndLogsAndPlots(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp model = TinyMlp.create(m, 1);
            Path log = dir.resolve("metrics.jsonl");
            Path png = dir.resolve("loss.png");
            Trainer.Result r =
                    trainer(model, 200, EMA.of(model, EMA.Decay.warmup(0.999, 0.75)))
                            .metricsLog(log)
                            .lossPlot(png)
                            .build()
                            .run();
            List<StepMetrics> ms = r.metrics();
            assertEquals(200, ms.size());
            double first = ms.subList(0, 20).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            double last = ms.subList(180, 200).stream().mapToDouble(StepMetrics::loss).average().orElseThrow();
            assertTrue(last < 0.2 * first, "loss " + first + " -> " + last);
            assertTrue(ms.stream().allMatch(s -> !s.skipped() && s.gradNorm() > 0));
            List<StepMetrics> read = MetricsLog.read(log);
            assertEquals(ms.size(), read.size());
            assertEquals(ms.get(57).loss(), read.get(57).loss(), 0);
            assertEquals(3e-2, read.get(9).lr(), 1e-12);
            BufferedImage img = Images.read(png);
            assertEquals(900, img.getWidth());
        }
    }

    @Test
    void resumedRunReproducesTheUninterruptedRun(@TempDir Path dir) {
        long total = 60;
        try (NDManager m = NDManager.newBaseManager()) {
            // uninterrupted
            TinyMlp a = TinyMlp.create(m, 1);
            EMA emaA = EMA.of(a, EMA.Decay.constant(0.9));
            List<StepMetrics> full = trainer(a, total, emaA).build().run().metrics();

            // 30 steps, a "crash", then a new process resumes from the checkpoint
            Path ckpt = dir.resolve("ckpt");
            Path log = dir.resolve("metrics.jsonl");
            TinyMlp b = TinyMlp.create(m, 1);
            JsonObject config = new JsonObject();
            config.addProperty("model", "tiny-mlp");
            Trainer.Result first =
                    trainer(b, total, EMA.of(b, EMA.Decay.constant(0.9)))
                            .checkpoints(ckpt, 20, 2)
                            .metricsLog(log)
                            .config(config)
                            .stopAfter(30)
                            .build()
                            .run();
            assertEquals(ckpt.resolve("checkpoint-30"), first.lastCheckpoint().orElseThrow());
            assertEquals("tiny-mlp",
                    TrainingCheckpoint.state(ckpt.resolve("checkpoint-30"))
                            .getAsJsonObject("config").get("model").getAsString());

            TinyMlp c = TinyMlp.create(m, 99); // different weights: all must come from the checkpoint
            EMA emaC = EMA.of(c, EMA.Decay.constant(0.9));
            Trainer.Result second =
                    trainer(c, total, emaC)
                            .checkpoints(ckpt, 20, 2)
                            .metricsLog(log)
                            .resume(true)
                            .build()
                            .run();
            assertEquals(30, second.startStep());
            assertEquals(60, second.endStep());

            List<StepMetrics> resumed = new ArrayList<>(first.metrics());
            resumed.addAll(second.metrics());
            assertEquals(full.size(), resumed.size());
            for (int i = 0; i < full.size(); i++) {
                assertEquals(full.get(i).step(), resumed.get(i).step());
                assertEquals(full.get(i).loss(), resumed.get(i).loss(), 1e-6, "loss at step " + (i + 1));
                assertEquals(full.get(i).gradNorm(), resumed.get(i).gradNorm(), 1e-6);
                assertEquals(full.get(i).lr(), resumed.get(i).lr(), 0);
            }
            for (String n : a.namedParameters().keySet()) {
                assertArrayEquals(
                        a.namedParameters().get(n).getArray().toFloatArray(),
                        c.namedParameters().get(n).getArray().toFloatArray(),
                        n);
                assertArrayEquals(
                        emaA.shadow().get(n).toFloatArray(), emaC.shadow().get(n).toFloatArray(), n);
            }
            // one continuous log, and only the newest checkpoints kept
            List<StepMetrics> logged = MetricsLog.read(log);
            assertEquals(60, logged.size());
            assertEquals(60, logged.get(59).step());
            assertEquals(
                    List.of("checkpoint-40", "checkpoint-60"),
                    TrainingCheckpoint.list(ckpt).stream().map(p -> p.getFileName().toString()).toList());
            assertTrue(Files.isRegularFile(ckpt.resolve("checkpoint-60").resolve(TrainingCheckpoint.EMA_FILE)));
        }
    }

    @Test
    void liveNDArraysStayFlat(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp model = TinyMlp.create(m, 1);
            long[] counts = new long[301];
            trainer(model, 300, EMA.of(model, EMA.Decay.constant(0.99)))
                    .checkpoints(dir, 100, 1)
                    .metricsLog(dir.resolve("m.jsonl"))
                    .listener(s -> counts[(int) s.step()] = m.getManagedArrays().size())
                    .build()
                    .run();
            // parameters (4) + AdamW moments (8) + EMA copies (4), and nothing else
            assertEquals(16, counts[1]);
            for (int s = 1; s <= 300; s++) {
                assertEquals(counts[1], counts[s], "live arrays after step " + s);
            }
            // the count does see arrays that are not closed
            m.zeros(new ai.djl.ndarray.types.Shape(1));
            assertEquals(17, m.getManagedArrays().size());
        }
    }

    @Test
    void progressBarRuns() {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp model = TinyMlp.create(m, 1);
            Trainer.Result r =
                    trainer(model, 3, null)
                            .schedule(LearningRateSchedule.constant(1e-2))
                            .progressBar(true)
                            .build()
                            .run();
            assertEquals(3, r.metrics().size());
        }
    }
}
