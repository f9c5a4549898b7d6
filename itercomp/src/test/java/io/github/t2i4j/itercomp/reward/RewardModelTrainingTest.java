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
import io.github.t2i4j.itercomp.preference.PreferencePair;
import io.github.t2i4j.itercomp.preference.PreferenceStore;
import io.github.t2i4j.itercomp.preference.RankedImage;
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
        return new RewardModelTraining.Options(1, 1.0, 1.0, 0, new TrainingLoop(steps, 8, 1e-3, 5, 0.01, 7, 10, stopAfter, false), false);
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
        assertTrue(Files.readString(out.resolve("metrics.json")).contains("clip_decided_accuracy"));

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
    void validationKeepsTheBestWeightsAndResumesToTheSameChoice() throws Exception {
        RewardModelTraining.Options o = options(20, 0).withValidateEvery(5);
        Path whole = dir.resolve("rm-val");
        RewardModelTraining.Result once =
                RewardModelTraining.train(o, store, Aspect.SPATIAL, clipDir, whole, dir.resolve("work-val"), false);
        assertEquals(240, once.trainPairs(), "10 of the 90 training rankings validate");
        assertEquals(30, once.validationPairs());
        assertTrue(once.keptStep() % 5 == 0 && once.keptStep() >= 5 && once.keptStep() <= 20, "step " + once.keptStep());
        assertTrue(once.validationAccuracy() >= 0 && once.validationAccuracy() <= 1);
        Path half = dir.resolve("rm-val-half");
        RewardModelTraining.train(options(20, 12).withValidateEvery(5), store, Aspect.SPATIAL, clipDir, half,
                dir.resolve("work-val-half"), false);
        RewardModelTraining.Result resumed =
                RewardModelTraining.train(o, store, Aspect.SPATIAL, clipDir, half, dir.resolve("work-val-half"), true);
        assertEquals(once.keptStep(), resumed.keptStep());
        try (NDManager m = NDManager.newBaseManager(); TensorSource a = Checkpoints.open(whole);
                TensorSource b = Checkpoints.open(half)) {
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

    @Test
    void tiesAreDrawnByTheirWeight() {
        RankedImage a = RankedImage.judged("a", "a.png", 1.0, 0.3);
        RankedImage b = RankedImage.judged("b", "b.png", 0.5, 0.2);
        RankedImage c = RankedImage.judged("c", "c.png", 0.5, 0.1);
        PreferencePair decided = new PreferencePair(Aspect.SPATIAL, 0, "x", a, b);
        PreferencePair tie = new PreferencePair(Aspect.SPATIAL, 0, "x", b, c);
        List<PreferencePair> pairs = List.of(decided, tie);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(3);

        RewardModelTraining.PairSampler none = new RewardModelTraining.PairSampler(pairs, 0);
        assertEquals(1, none.size());
        for (int i = 0; i < 100; i++) {
            assertEquals(decided, none.draw(rng));
        }
        RewardModelTraining.PairSampler quarter = new RewardModelTraining.PairSampler(pairs, 0.25);
        int ties = 0;
        for (int i = 0; i < 10_000; i++) {
            ties += quarter.draw(rng) == tie ? 1 : 0;
        }
        assertEquals(0.2, ties / 10_000.0, 0.015, "a tie is drawn 0.25 / 1.25 of the time");
        assertThrows(IllegalArgumentException.class, () -> new RewardModelTraining.PairSampler(List.of(tie), 0));
        assertThrows(IllegalArgumentException.class, () -> RewardModelTraining.Options.defaults().withTieWeight(1.5));
    }
}
