package io.github.t2i4j.itercomp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.t2i4j.core.evaluation.CompositionBenchmark;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.pipelines.DiffusionGenerator;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.itercomp.gallery.GalleryFixtures;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.preference.PreferenceCollection;
import io.github.t2i4j.itercomp.preference.PreferenceStore;
import io.github.t2i4j.itercomp.preference.StandInMember;
import io.github.t2i4j.itercomp.refl.FeedbackTraining;
import io.github.t2i4j.itercomp.reward.RewardModelTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two rounds of the whole loop on the tiny world pipeline: every stage's output, the insertion, the report, and resuming. */
class IterCompLoopTest {

    @Test
    void twoRoundsEndToEndAndResume(@TempDir Path dir) throws Exception {
        Path base = GalleryFixtures.tinyPipeline();
        Path clip = GalleryFixtures.worldClip();
        PreferenceCollection.Options prefs = new PreferenceCollection.Options(10, List.of(Aspect.values()), 1, 5);
        IterCompLoop.Options o = new IterCompLoop.Options(2, prefs,
                new RewardModelTraining.Options(1, 1.0, 1.0, 0, new TrainingLoop(4, 4, 1e-3, 0, 0.0, 1, 0, 0, false), true),
                new FeedbackTraining.Options(4, 2, 3, 1f, 1e-3, 2.0, 0.0, 0, 0.0, new TrainingLoop(2, 2, 1e-4, 0, 0.0, 1, 0, 0, false),
                        0.5),
                new CompositionBenchmark.Options(2, 0, 8, 4), 2, 3f, true, true);
        List<String> stages = new ArrayList<>();
        IterCompLoop.Progress progress = new IterCompLoop.Progress() {
            @Override
            public void stage(String name, long total) {
                stages.add(name);
            }

            @Override
            public void step(long done) {}
        };
        // the gallery: the base and two stand-ins (the world's renders, and the render of another prompt)
        PreferenceCollection names = new PreferenceCollection(PreferenceStore.open(dir.resolve("scratch")), null, prefs);
        List<TextToImageGenerator> gallery = List.of(
                new DiffusionGenerator("base", DiffusionPipelines.load(base, Device.cpu()), 2, 3f, null),
                new StandInMember("renders", names, 11, 0, false), new StandInMember("shifted", names, 11, 1, false));
        new IterCompLoop(o, dir.resolve("run"), clip, Device.cpu(), progress).run(gallery, base);
        Path run = dir.resolve("run");
        for (int r = 1; r <= 2; r++) {
            assertTrue(Files.isRegularFile(run.resolve("round-" + r + "/model/model_index.json")));
            assertTrue(Files.isRegularFile(run.resolve("round-" + r + "/eval/metrics.json")));
            for (Aspect a : Aspect.values()) {
                assertTrue(Files.isRegularFile(run.resolve("round-" + r + "/reward/" + a.key() + "/metrics.json")));
            }
        }
        assertTrue(Files.isRegularFile(run.resolve("round-0/eval/metrics.json")));
        for (String member : List.of("renders", "shifted")) {
            assertTrue(Files.isRegularFile(run.resolve("round-0/gallery/" + member + "/metrics.json")), member);
        }
        // the one-reward-model ablation: one model trained on every aspect's pairs, its feedback model, its evaluation
        Path one = run.resolve("round-1/one-reward");
        String oneMetrics = Files.readString(one.resolve("reward/all/metrics.json"));
        for (Aspect a : Aspect.values()) {
            assertTrue(oneMetrics.contains("\"" + a.key() + "\""), oneMetrics);
        }
        assertTrue(Files.isRegularFile(one.resolve("model/model_index.json")));
        assertTrue(Files.isRegularFile(one.resolve("eval/metrics.json")));
        assertTrue(Files.isRegularFile(run.resolve("round-2/insertion.json")));
        PreferenceStore store = PreferenceStore.open(run.resolve("preferences"));
        assertEquals(30, store.rankings().size());
        store.rankings().forEach(k -> assertEquals(4, k.images().size(), "gallery of three plus round 1"));
        assertTrue(store.rankings().stream().allMatch(k -> k.contains("round-1")));
        String report = Files.readString(run.resolve("report.md"));
        assertTrue(report.contains("| round 2 |") && report.contains("| base |"), report);
        assertTrue(report.contains("| gallery: renders |") && report.contains("one reward model (ablation)")
                && report.contains("One reward model against three") && report.contains("One round against iterative"), report);
        assertTrue(Files.isRegularFile(run.resolve("comparison.png")));
        assertTrue(stages.contains("preferences") && stages.contains("insert round-1") && stages.contains("feedback (round 2)")
                && stages.contains("feedback (one-reward ablation)")
                && stages.indexOf("feedback (one-reward ablation)") < stages.indexOf("insert round-1"),
                stages.toString());

        // a finished loop has nothing to redo; a deleted evaluation is redone alone
        stages.clear();
        AtomicFiles.deleteTree(run.resolve("round-2/eval"));
        new IterCompLoop(o, run, clip, Device.cpu(), progress).run(gallery, base);
        assertEquals(List.of("evaluate round-2"), stages);
        gallery.forEach(TextToImageGenerator::close);
    }
}
