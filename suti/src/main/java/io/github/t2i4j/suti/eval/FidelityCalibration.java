package io.github.t2i4j.suti.eval;

import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import io.github.t2i4j.suti.subjects.SubjectScene;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Measures how {@link SubjectFidelity} separates subjects: for each subject, the score of a correct
 * render in a random context (a positive), of {@code negatives} other subjects drawn at random from
 * the list, and of up to {@code negatives} other subjects of the same shape (hard negatives), each in a
 * random context; all judged against the subject.
 */
public final class FidelityCalibration {
    private FidelityCalibration() {}

    /** The measured scores. */
    public record Scores(double[] positives, double[] negatives, double[] sameShapeNegatives) {
        /** Share of positives that pass. */
        public double positivePassRate() {
            return rate(positives);
        }

        /** Share of random other subjects that pass. */
        public double negativePassRate() {
            return rate(negatives);
        }

        /** Share of same-shape other subjects that pass. */
        public double sameShapePassRate() {
            return rate(sameShapeNegatives);
        }

        private static double rate(double[] v) {
            int n = 0;
            for (double x : v) {
                n += x >= SubjectFidelity.PASS ? 1 : 0;
            }
            return v.length == 0 ? 0 : (double) n / v.length;
        }
    }

    /** Measures the scores on the subjects (see the class comment), deterministic in the seed. */
    public static Scores measure(List<Subject> subjects, int negatives, long seed) {
        SubjectFidelity fidelity = new SubjectFidelity();
        SubjectRenderer renderer = new SubjectRenderer();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        List<Double> hard = new ArrayList<>();
        for (Subject s : subjects) {
            pos.add(score(fidelity, renderer, s, s, rng));
            for (int k = 0; k < negatives; k++) {
                Subject o;
                do {
                    o = subjects.get(rng.nextInt(subjects.size()));
                } while (o.id() == s.id());
                neg.add(score(fidelity, renderer, s, o, rng));
            }
            List<Subject> same = subjects.stream().filter(o -> o.id() != s.id() && o.shape() == s.shape()).toList();
            for (int k = 0; k < Math.min(negatives, same.size()); k++) {
                hard.add(score(fidelity, renderer, s, same.get(rng.nextInt(same.size())), rng));
            }
        }
        return new Scores(array(pos), array(neg), array(hard));
    }

    private static double score(SubjectFidelity f, SubjectRenderer r, Subject judged, Subject drawn, SplittableRandom rng) {
        SubjectScene scene = SubjectScene.stage(drawn, Demonstrations.randomContext(rng), rng);
        return f.score(r.render(scene), judged).score();
    }

    private static double[] array(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }
}
