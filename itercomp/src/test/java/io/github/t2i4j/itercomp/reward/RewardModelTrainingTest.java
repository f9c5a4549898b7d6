package io.github.t2i4j.itercomp.reward;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.io.Checkpoints;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.itercomp.gallery.GalleryFixtures;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.preference.PreferenceCollection;
import io.github.t2i4j.itercomp.preference.PreferenceStore;
import io.github.t2i4j.itercomp.preference.StandInMember;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A spatial reward model learns from the rankings of three stand-in members (the prompt's render,
 * another prompt's render, a grey image), ranks held-out pairs, normalises its scores, and a run
 * stopped halfway and resumed ends with the same weights as an uninterrupted one.
 */
class RewardModelTrainingTest {
    private static final int PROMPTS = 100;
    @TempDir static Path dir;
    private static PreferenceStore store;
    private static Path clipDir;

    @BeforeAll
    static void collect() {
        clipDir = GalleryFixtures.worldClip();
        store = PreferenceStore.open(dir.resolve("preferences"));
        PreferenceCollection c = new PreferenceCollection(store, null,
                new PreferenceCollection.Options(PROMPTS, List.of(Aspect.SPATIAL), 3, 8));
        // named so that the annotator's ties (no CLIP here: by name) agree with the truth, right > wrong > grey
        c.collect(List.of(new StandInMember("c-grey", c, PROMPTS + 1, 0, true),
                new StandInMember("a-right", c, PROMPTS + 1, 0, false),
                new StandInMember("b-wrong", c, PROMPTS + 1, 1, false)), n -> {});
    }

    private static RewardModelTraining.Options options(long steps, long stopAfter) {
        return new RewardModelTraining.Options(1, 1.0, new TrainingLoop(steps, 8, 1e-3, 5, 0.01, 7, 10, stopAfter, false));
    }

    @Test
    void learnsHeldOutPreferencesAndResumesExactly() throws Exception {
        Path out = dir.resolve("rm");
        RewardModelTraining.Result r =
                RewardModelTraining.train(options(120, 0), store, Aspect.SPATIAL, clipDir, out, dir.resolve("work"), false);
        assertEquals(270, r.trainPairs());
        assertEquals(30, r.heldOutPairs());
        assertTrue(r.heldOutAccuracy() >= 0.75, "held-out pairwise accuracy " + r.heldOutAccuracy() + ", training " + r.trainAccuracy());
        assertTrue(Files.isRegularFile(out.resolve("metrics.json")));

        // the saved model is normalised: its training images score with mean 0 and std 1
        try (NDManager m = NDManager.newBaseManager(); CLIPTokenizer tok = CLIPTokenizer.fromPretrained(clipDir)) {
            RewardModel back = RewardModel.fromPretrained(out, m);
            assertEquals(r.scoreMean(), back.config().scoreMean());
            assertEquals(r.heldOutAccuracy(), RewardModelTraining.accuracy(back, store.pairs(Aspect.SPATIAL, true), store, tok, m));
        }

        // 20 steps, and 10 steps then resumed to 20: the same weights
        Path whole = dir.resolve("rm-whole");
        RewardModelTraining.Result once =
                RewardModelTraining.train(options(20, 0), store, Aspect.SPATIAL, clipDir, whole, dir.resolve("work-whole"), false);
        Path half = dir.resolve("rm-half");
        RewardModelTraining.train(options(20, 10), store, Aspect.SPATIAL, clipDir, half, dir.resolve("work-half"), false);
        RewardModelTraining.Result resumed =
                RewardModelTraining.train(options(20, 0), store, Aspect.SPATIAL, clipDir, half, dir.resolve("work-half"), true);
        assertEquals(once.finalLoss(), resumed.finalLoss());
        out = whole;
        try (NDManager m = NDManager.newBaseManager(); TensorSource a = Checkpoints.open(out);
                TensorSource b = Checkpoints.open(half)) {
            assertEquals(a.names(), b.names());
            for (String n : a.names()) {
                assertArrayEquals(a.load(n, m).toFloatArray(), b.load(n, m).toFloatArray(), n);
            }
        }
    }

    @Test
    void anAspectWithoutPairsIsAnError() {
        assertThrows(IllegalArgumentException.class, () -> RewardModelTraining.train(options(20, 0), store, Aspect.NON_SPATIAL,
                clipDir, dir.resolve("none"), dir.resolve("none-work"), false));
    }
}
