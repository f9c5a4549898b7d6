package io.github.t2i4j.itercomp.refl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.io.Checkpoints;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.itercomp.gallery.GalleryFixtures;
import io.github.t2i4j.itercomp.preference.Aspect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The feedback-learning job on the tiny world pipeline: output folder, changed UNet only, exact resume. */
class FeedbackTrainingTest {
    private static final List<String> PROMPTS =
            List.of("a red circle to the left of a blue square", "a big green star", "a small dotted cross");

    private static FeedbackTraining.Options options(long stopAfter) {
        // 4 DDPM steps with guidance 2, gradient at step 2 or 3, two prompts a step, the regulariser on 8 cached
        // renders, the KL anchor to the starting UNet (a resumed run must anchor to the start, not to its checkpoint)
        return new FeedbackTraining.Options(4, 2, 3, 2f, 1e-3, 2.0, 1.0, 8, 1.0,
                new TrainingLoop(4, 2, 1e-3, 0, 0.01, 3, 2, stopAfter, false), 0.5);
    }

    @Test
    void writesAnOptimisedPipelineAndResumesExactly(@TempDir Path tmp) throws Exception {
        Path base = GalleryFixtures.tinyPipeline();
        Files.writeString(base.resolve("notes.txt"), "not part of the pipeline");
        Path reward = tmp.resolve("reward");
        try (NDManager m = NDManager.newBaseManager(); CLIPTokenizer tok = ReflFixtures.worldTokenizer()) {
            ReflFixtures.tinyRewardModel(m, tok).save(reward);
        }
        Map<Aspect, Path> rewards = Map.of(Aspect.SPATIAL, reward);
        Path out = tmp.resolve("optimised");
        FeedbackTraining.Result r = FeedbackTraining.train(options(0), base, rewards, PROMPTS, out, tmp.resolve("work"),
                false, Device.cpu());
        assertEquals(4, r.steps());
        assertTrue(r.lastRewards().containsKey(Aspect.SPATIAL.key()));
        assertTrue(Files.isRegularFile(out.resolve("feedback/metrics.jsonl")));
        assertEquals(4, Files.readAllLines(out.resolve("feedback/rewards.jsonl")).size(), "one reward line a step");
        assertFalse(Files.exists(out.resolve("notes.txt")), "only the pipeline's components are copied");
        // the same pipeline layout; only the UNet's weights differ from the base
        try (DiffusionPipeline p = DiffusionPipelines.load(out, Device.cpu())) {
            assertEquals(64, p.defaultSize());
        }
        assertTrue(Arrays.equals(Files.readAllBytes(base.resolve("vae/diffusion_pytorch_model.safetensors")),
                Files.readAllBytes(out.resolve("vae/diffusion_pytorch_model.safetensors"))));
        assertFalse(Arrays.equals(Files.readAllBytes(base.resolve("unet/diffusion_pytorch_model.safetensors")),
                Files.readAllBytes(out.resolve("unet/diffusion_pytorch_model.safetensors"))));

        // stopped after 2 steps and resumed: the same UNet as the uninterrupted run
        Path half = tmp.resolve("half");
        FeedbackTraining.train(options(2), base, rewards, PROMPTS, half, tmp.resolve("work-half"), false, Device.cpu());
        FeedbackTraining.train(options(0), base, rewards, PROMPTS, half, tmp.resolve("work-half"), true, Device.cpu());
        try (NDManager m = NDManager.newBaseManager(); TensorSource a = Checkpoints.open(out.resolve("unet"));
                TensorSource b = Checkpoints.open(half.resolve("unet"))) {
            for (String n : a.names()) {
                assertArrayEquals(a.load(n, m).toFloatArray(), b.load(n, m).toFloatArray(), n);
            }
        }
        assertEquals(Files.readAllLines(out.resolve("feedback/rewards.jsonl")),
                Files.readAllLines(half.resolve("feedback/rewards.jsonl")), "the resumed run's rewards, each step once");
        // a new run into the same folder starts its rewards log afresh, as its metrics log
        FeedbackTraining.train(options(0), base, rewards, PROMPTS, half, tmp.resolve("work-again"), false, Device.cpu());
        assertEquals(Files.readAllLines(out.resolve("feedback/rewards.jsonl")),
                Files.readAllLines(half.resolve("feedback/rewards.jsonl")));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new FeedbackTraining.Options(40, 30, 40, 1f, 1e-3, 2, 0, 0, 0,
                FeedbackTraining.Options.defaults().loop(), 0.99));
        assertThrows(IllegalArgumentException.class, () -> FeedbackTraining.Options.defaults().withRegularizer(-1));
        assertThrows(IllegalArgumentException.class, () -> FeedbackTraining.train(FeedbackTraining.Options.defaults(),
                Path.of("nowhere"), Map.of(), PROMPTS, Path.of("out"), Path.of("work"), false, Device.cpu()));
    }
}
