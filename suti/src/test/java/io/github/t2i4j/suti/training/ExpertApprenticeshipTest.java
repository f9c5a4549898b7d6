package io.github.t2i4j.suti.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.training.MicroBatch;
import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.suti.eval.SubjectFidelity;
import io.github.t2i4j.suti.eval.TextFidelity;
import io.github.t2i4j.suti.experts.DreamBooth;
import io.github.t2i4j.suti.model.TinyBase;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Position;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectContext;
import io.github.t2i4j.suti.subjects.SubjectPrompt;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The apprenticeship data job on the tiny base: two subjects, four prompts each, two-step experts. */
class ExpertApprenticeshipTest {
    private static StableDiffusionPipeline base;

    @BeforeAll
    static void setUp() {
        base = TinyBase.load();
    }

    @AfterAll
    static void tearDown() {
        base.close();
    }

    private static ExpertApprenticeship.Options tiny() {
        DreamBooth.Options expert = DreamBooth.Options.defaults("x", "x").withSteps(2).withLearningRate(1e-3)
                .withPrior(0, 0).withSeed(4);
        return ExpertApprenticeship.Options.defaults().withSubjects(2).withDemonstrations(3).withPromptsPerSubject(4)
                .withFilter(0.5, 0).withSampling(2, 1f, 3).withSeed(9).withDreamBooth(expert);
    }

    private static List<Subject> subjects() {
        return SubjectCatalog.load().training().subList(0, 2);
    }

    @Test
    void makesTheDataKeepsTheBestResumesAndTrainsSuTI(@TempDir Path tmp) throws Exception {
        Path dir = tmp.resolve("data");
        ExpertApprenticeship job = new ExpertApprenticeship(tiny());
        assertEquals(subjects(), job.subjects());
        ApprenticeshipStore store = ApprenticeshipStore.open(dir);
        assertEquals(8, job.remainingImages(store, subjects()));
        AtomicLong progress = new AtomicLong();
        ExpertApprenticeship.Result r = job.run(base, store, progress::set);
        assertEquals(2, r.subjectsDone());
        assertEquals(0, r.subjectsSkipped());
        assertEquals(8, r.generated());
        assertEquals(8, progress.get());
        assertEquals(4, r.kept(), "half of 4 per subject");
        assertEquals(4, r.examples());
        assertTrue(r.expertSeconds() > 0 && r.generationSeconds() > 0, r.toString());

        // files
        for (String f : List.of(ApprenticeshipStore.SETTINGS, ApprenticeshipStore.SUBJECTS, ApprenticeshipStore.EXAMPLES)) {
            assertTrue(Files.isRegularFile(dir.resolve(f)), f);
        }
        assertEquals(4, Files.readAllLines(dir.resolve(ApprenticeshipStore.EXAMPLES)).size());
        assertEquals(2, Files.readAllLines(dir.resolve(ApprenticeshipStore.SUBJECTS)).size());

        ApprenticeshipStore reopened = ApprenticeshipStore.read(dir);
        SubjectFidelity subjectFidelity = new SubjectFidelity();
        TextFidelity textFidelity = new TextFidelity();
        for (Subject s : subjects()) {
            ApprenticeshipStore.SubjectRecord rec = reopened.subject(s.id());
            assertEquals(4, rec.generated());
            assertEquals(2, rec.kept());
            assertEquals(3, rec.demonstrations().size());
            assertTrue(rec.expertSeconds() > 0 && Double.isFinite(rec.firstLoss()), rec.toString());
            // the kept candidates are the two best-ranked ones
            List<ApprenticeshipStore.Candidate> ranked = ExpertApprenticeship.rank(rec.candidates());
            assertTrue(ranked.get(0).kept() && ranked.get(1).kept() && !ranked.get(2).kept() && !ranked.get(3).kept(),
                    ranked.toString());
            // the prompts are the subject's stream's: the same seed, the same prompts
            SplittableRandom rng = new SplittableRandom(MicroBatch.streamSeed(9, s.id(), ExpertApprenticeship.PROMPT_STREAM));
            List<Demonstration> demos = new Demonstrations(new SubjectRenderer(TinyBase.SIZE, TinyBase.SIZE))
                    .sample(s, 3, rng);
            List<SubjectPrompt> prompts = Demonstrations.newContextPrompts(s, demos, 4, rng);
            for (int j = 0; j < 4; j++) {
                assertEquals(prompts.get(j).text(), rec.candidates().get(j).prompt());
                assertEquals(prompts.get(j).context(), rec.candidates().get(j).context());
            }
            for (int i = 0; i < 3; i++) {
                assertEquals(demos.get(i).caption(), rec.demonstrations().get(i).caption());
                assertArrayEquals(pixels(demos.get(i).image()),
                        pixels(reopened.readImage(rec.demonstrations().get(i).file())));
            }
        }
        // each stored target is the very image that was judged, and is a kept candidate of its subject
        List<ApprenticeshipStore.StoredExample> examples = reopened.examples();
        assertEquals(List.of(0, 0, 1, 1), examples.stream().map(e -> e.subjectId() - subjects().get(0).id()).toList());
        for (ApprenticeshipStore.StoredExample e : examples) {
            Subject s = SubjectCatalog.load().get(e.subjectId());
            BufferedImage target = reopened.readImage(e.target());
            assertEquals(e.candidate().subjectFidelity(), subjectFidelity.score(target, s).score(), 1e-12);
            assertEquals(e.candidate().textFidelity(), textFidelity.evaluate(target, e.candidate().context()).score(),
                    1e-12);
            assertTrue(e.candidate().kept());
            assertEquals(reopened.subject(e.subjectId()).candidates().get(e.candidate().index()), e.candidate());
        }

        // as a source: demonstrations + prompt + the expert's target, the same on every call
        assertEquals(4, reopened.size());
        ApprenticeshipExample x = reopened.example(3);
        assertEquals(3, x.demonstrations());
        assertEquals(examples.get(3).candidate().prompt(), x.prompt());
        assertEquals(TinyBase.SIZE, x.target().getWidth());
        assertEquals(TinyBase.SIZE, x.demoImages().get(0).getHeight());
        assertArrayEquals(pixels(x.target()), pixels(reopened.example(3).target()));
        assertTrue(reopened.describe().contains("2 subjects, 4 examples"), reopened.describe());

        // a second run makes nothing
        AtomicLong again = new AtomicLong(-1);
        ExpertApprenticeship.Result second = job.run(base, ApprenticeshipStore.open(dir), again::set);
        assertEquals(0, second.subjectsDone());
        assertEquals(2, second.subjectsSkipped());
        assertEquals(0, second.generated());
        assertEquals(-1, again.get(), "no progress to report");
        assertEquals(4, Files.readAllLines(dir.resolve(ApprenticeshipStore.EXAMPLES)).size());

        // other settings are refused before anything is done
        assertThrows(IllegalStateException.class, () -> new ExpertApprenticeship(tiny().withPromptsPerSubject(5))
                .run(base, reopened, n -> { }));

        // SuTI trains on it
        SuTITraining.Options o = SuTITraining.Options.defaults().withSteps(1).withBatchSize(2)
                .withLearningRates(1e-3, 0).withCheckpointEvery(1).withEvaluation(0, 0, 1).withProgressBar(false)
                .withSeed(3);
        SuTITraining.Result trained = SuTITraining.train(o, TinyBase.dir(), reopened, null, tmp.resolve("suti"),
                tmp.resolve("work"), false);
        assertEquals(1, trained.steps());
        assertTrue(Double.isFinite(trained.finalLoss()) && trained.finalLoss() > 0, "loss " + trained.finalLoss());

        // an interruption that cut the second subject's line: the subject is dropped, redone, and comes out the same
        ApprenticeshipStore.SubjectRecord before = reopened.subject(subjects().get(1).id());
        Path subjectsFile = dir.resolve(ApprenticeshipStore.SUBJECTS);
        List<String> lines = Files.readAllLines(subjectsFile, StandardCharsets.UTF_8);
        String cut = lines.get(0) + "\n" + lines.get(1).substring(0, lines.get(1).length() / 2);
        Files.writeString(subjectsFile, cut, StandardCharsets.UTF_8);
        ApprenticeshipStore reader = ApprenticeshipStore.read(dir);
        assertFalse(reader.has(subjects().get(1).id()));
        assertEquals(2, reader.size(), "a reader sees the finished subjects only");
        assertEquals(cut, Files.readString(subjectsFile, StandardCharsets.UTF_8), "and changes no file");
        assertThrows(IllegalStateException.class, () -> job.run(base, reader, n -> { }));
        ApprenticeshipStore recovered = ApprenticeshipStore.open(dir);
        assertTrue(recovered.has(subjects().get(0).id()));
        assertFalse(recovered.has(subjects().get(1).id()));
        assertEquals(2, recovered.size(), "the unfinished subject's examples are dropped");
        assertEquals(2, Files.readAllLines(dir.resolve(ApprenticeshipStore.EXAMPLES)).size());
        assertEquals(1, Files.readAllLines(subjectsFile).size());
        ExpertApprenticeship.Result redo = job.run(base, recovered, n -> { });
        assertEquals(1, redo.subjectsDone());
        assertEquals(1, redo.subjectsSkipped());
        assertEquals(4, redo.generated());
        ApprenticeshipStore.SubjectRecord after = recovered.subject(subjects().get(1).id());
        assertEquals(before.candidates(), after.candidates(), "the redone subject is the same, bit for bit");
        assertEquals(4, ApprenticeshipStore.read(dir).size());
    }

    @Test
    void ranksBothPassedFirstThenTheProductThenPromptOrder() {
        SubjectContext c = new SubjectContext(Position.values()[0], Size.SMALL, Background.values()[0]);
        List<ApprenticeshipStore.Candidate> in = new ArrayList<>();
        in.add(new ApprenticeshipStore.Candidate(0, "p", c, 0, 0.95, true, 2 / 3.0, false, false)); // one pass, 0.633
        in.add(new ApprenticeshipStore.Candidate(1, "p", c, 1, 0.70, true, 1.0, true, false)); // both, 0.70
        in.add(new ApprenticeshipStore.Candidate(2, "p", c, 2, 0.60, false, 1.0, true, false)); // one pass, 0.60
        in.add(new ApprenticeshipStore.Candidate(3, "p", c, 3, 0.99, true, 1 / 3.0, false, false)); // one pass, 0.33
        in.add(new ApprenticeshipStore.Candidate(4, "p", c, 4, 0.10, false, 0, false, false)); // none, 0
        in.add(new ApprenticeshipStore.Candidate(5, "p", c, 5, 0.60, false, 1.0, true, false)); // ties with 2
        // the context alone met, no trace of the subject: below an image that is closer to both
        in.add(new ApprenticeshipStore.Candidate(6, "p", c, 6, 0.0, false, 1.0, true, false)); // one pass, 0
        in.add(new ApprenticeshipStore.Candidate(7, "p", c, 7, 0.60, false, 0.5, false, false)); // none, 0.30
        List<Integer> order = ExpertApprenticeship.rank(in).stream().map(ApprenticeshipStore.Candidate::index).toList();
        assertEquals(List.of(1, 0, 2, 5, 3, 7, 4, 6), order);

        ExpertApprenticeship.Options o = ExpertApprenticeship.Options.defaults();
        assertEquals(4, o.keptPerSubject(), "25% of 16");
        assertEquals(1, o.withPromptsPerSubject(2).keptPerSubject(), "at least one");
        assertEquals(3, o.withPromptsPerSubject(10).keptPerSubject());
        assertThrows(IllegalArgumentException.class, () -> o.withFilter(0, 0));
        assertThrows(IllegalArgumentException.class, () -> o.withFilter(1.5, 0));
        assertThrows(IllegalArgumentException.class, () -> o.withPromptsPerSubject(ExpertApprenticeship.maxPrompts(5) + 1));
        assertThrows(IllegalArgumentException.class, () -> o.withSubjects(SubjectCatalog.TRAINING + 1));
    }

    private static int[] pixels(BufferedImage i) {
        return i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth());
    }
}
