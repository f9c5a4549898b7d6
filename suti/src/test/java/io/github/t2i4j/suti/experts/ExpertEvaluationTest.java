package io.github.t2i4j.suti.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import java.util.List;
import org.junit.jupiter.api.Test;

class ExpertEvaluationTest {

    @Test
    void scoresEveryHeldOutSubjectWithBothExperts() {
        List<Subject> subjects = SubjectCatalog.load().heldOut().subList(0, 1);
        DreamBooth.Options db = DreamBooth.Options.defaults(ExpertFixtures.IDENTIFIER, "x")
                .withSteps(2).withLearningRate(1e-3).withPrior(1.0, 1).withClassImageSampling(2, 1f);
        TextualInversion.Options ti = TextualInversion.Options.defaults("<subject>", "x").withSteps(2).withBatchSize(2);
        try (StableDiffusionPipeline base = ExpertFixtures.pipeline()) {
            for (ExpertEvaluation.Method method : ExpertEvaluation.Method.values()) {
                ExpertEvaluation.Report r = ExpertEvaluation.run(base, subjects,
                        new ExpertEvaluation.Options(method, 3, 2, 2, 1f, 7, db, ti), null);
                assertEquals(1, r.subjects().size());
                ExpertEvaluation.SubjectResult s = r.subjects().get(0);
                assertEquals(subjects.get(0).id(), s.subjectId());
                assertTrue(s.expertSeconds() > 0 && s.generationSeconds() > 0, s.toString());
                for (double v : new double[] {s.subjectFidelity(), s.subjectPassRate(), s.textFidelity()}) {
                    assertTrue(v >= 0 && v <= 1, s.toString());
                }
                assertTrue(Double.isNaN(s.clipI()));
                assertEquals(s.subjectFidelity(), r.mean(ExpertEvaluation.SubjectResult::subjectFidelity));
                assertTrue(r.markdownRow().startsWith("| " + method + " | 1 | "), r.markdownRow());
            }
        }
    }
}
