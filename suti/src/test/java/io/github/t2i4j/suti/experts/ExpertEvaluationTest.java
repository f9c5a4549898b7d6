package io.github.t2i4j.suti.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.suti.model.InterleavedGuidance;
import io.github.t2i4j.suti.model.SuTIConfig;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.model.SuTIUNet;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpertEvaluationTest {

    @Test
    void scoresEveryHeldOutSubjectWithEveryMethodOnTheSameTasks() {
        List<Subject> subjects = SubjectCatalog.load().heldOut().subList(0, 1);
        DreamBooth.Options db = DreamBooth.Options.defaults(ExpertFixtures.IDENTIFIER, "x")
                .withSteps(2).withLearningRate(1e-3).withPrior(1.0, 1).withClassImageSampling(2, 1f);
        TextualInversion.Options ti = TextualInversion.Options.defaults("<subject>", "x").withSteps(2).withBatchSize(2);
        try (StableDiffusionPipeline base = ExpertFixtures.pipeline();
                NDManager manager = NDManager.newBaseManager();
                SuTIPipeline suti = new SuTIPipeline(base,
                        SuTIUNet.fromBase(base.unet().copy(manager, false), SuTIConfig.defaults(), 3))) {
            ExpertEvaluation.Options o = new ExpertEvaluation.Options(ExpertEvaluation.Method.DREAMBOOTH, 3, 2, 2, 1f, 7,
                    db, ti, suti, InterleavedGuidance.defaults());
            for (ExpertEvaluation.Method method : ExpertEvaluation.Method.values()) {
                if (method == ExpertEvaluation.Method.SUTI_OTHER_DEMOS) {
                    // the control needs a second subject to borrow demonstrations from
                    assertThrows(IllegalArgumentException.class,
                            () -> ExpertEvaluation.run(base, subjects, o.withMethod(method), null));
                    continue;
                }
                ExpertEvaluation.Report r = ExpertEvaluation.run(base, subjects, o.withMethod(method), null);
                assertEquals(1, r.subjects().size());
                ExpertEvaluation.SubjectResult s = r.subjects().get(0);
                assertEquals(subjects.get(0).id(), s.subjectId());
                assertTrue(s.generationSeconds() > 0, s.toString());
                // SuTI and the plain base have no per-subject cost but their sampling
                assertEquals(method == ExpertEvaluation.Method.SUTI || method == ExpertEvaluation.Method.BASE,
                        s.expertSeconds() == 0, s.toString());
                assertEquals(s.expertSeconds() + s.generationSeconds(), s.totalSeconds());
                assertEquals(2, r.images().get(0).size());
                for (double v : new double[] {s.subjectFidelity(), s.subjectPassRate(), s.textFidelity(), s.copyRate()}) {
                    assertTrue(v >= 0 && v <= 1, s.toString());
                }
                assertTrue(Double.isNaN(s.clipI()));
                assertEquals(s.subjectFidelity(), r.mean(ExpertEvaluation.SubjectResult::subjectFidelity));
                assertTrue(r.markdownRow().startsWith("| " + method + " | 1 | "), r.markdownRow());
            }
            // every method is given the same demonstrations and prompts
            ExpertEvaluation.Task a = ExpertEvaluation.task(subjects.get(0), base.defaultSize(), o);
            ExpertEvaluation.Task b = ExpertEvaluation.task(subjects.get(0), base.defaultSize(),
                    o.withMethod(ExpertEvaluation.Method.SUTI));
            assertEquals(a.asked(), b.asked());
            assertEquals(a.shown().stream().map(d -> d.caption()).toList(), b.shown().stream().map(d -> d.caption()).toList());

            // the control: each subject's own prompts, drawn from the next subject's demonstrations, judged as
            // that subject; no per-subject cost either
            List<Subject> two = SubjectCatalog.load().heldOut().subList(0, 2);
            ExpertEvaluation.Options c = o.withMethod(ExpertEvaluation.Method.SUTI_OTHER_DEMOS);
            ExpertEvaluation.Report other = ExpertEvaluation.run(base, two, c, null);
            assertEquals(two.stream().map(Subject::id).toList(),
                    other.subjects().stream().map(ExpertEvaluation.SubjectResult::subjectId).toList());
            assertEquals(0.0, other.subjects().get(0).expertSeconds());
            ExpertEvaluation.Task mine = ExpertEvaluation.task(two.get(0), base.defaultSize(), c);
            ExpertEvaluation.Task next = ExpertEvaluation.task(two.get(1), base.defaultSize(), c);
            var expected = suti.generate(new io.github.t2i4j.suti.model.SuTIRequest(
                    next.shown().stream().map(d -> d.image()).toList(), next.shown().stream().map(d -> d.caption()).toList(),
                    mine.asked().stream().map(p -> p.text()).toList(), 1, 2, InterleavedGuidance.defaults(), 7)).images();
            for (int i = 0; i < expected.size(); i++) {
                assertTrue(java.util.Arrays.equals(pixels(expected.get(i)), pixels(other.images().get(0).get(i))),
                        "prompt " + i + ": subject 0's prompt from subject 1's demonstrations");
            }
        }
    }

    private static int[] pixels(java.awt.image.BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void aDemonstrationCopiesItselfAndTheAskedContextDoesNot() {
        io.github.t2i4j.suti.subjects.Subject subject = SubjectCatalog.load().heldOut().get(3);
        io.github.t2i4j.suti.subjects.SubjectRenderer renderer = new io.github.t2i4j.suti.subjects.SubjectRenderer(64, 64);
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        List<io.github.t2i4j.suti.subjects.Demonstration> shown =
                new io.github.t2i4j.suti.subjects.Demonstrations(renderer).sample(subject, 4, rng);
        List<io.github.t2i4j.suti.subjects.SubjectPrompt> asked =
                io.github.t2i4j.suti.subjects.Demonstrations.newContextPrompts(subject, shown, 3, rng);
        io.github.t2i4j.suti.eval.TextFidelity judge = new io.github.t2i4j.suti.eval.TextFidelity();
        for (io.github.t2i4j.suti.subjects.Demonstration d : shown) {
            assertTrue(ExpertEvaluation.copiesADemonstration(judge, d.image(), shown));
        }
        for (io.github.t2i4j.suti.subjects.SubjectPrompt p : asked) {
            java.awt.image.BufferedImage fresh = renderer.render(io.github.t2i4j.suti.subjects.SubjectScene.stage(subject,
                    p.context(), rng));
            assertTrue(judge.evaluate(fresh, p.context()).allMet());
            assertFalse(ExpertEvaluation.copiesADemonstration(judge, fresh, shown), p.toString());
        }
    }
}
