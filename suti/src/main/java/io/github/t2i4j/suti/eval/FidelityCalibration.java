package io.github.t2i4j.suti.eval;

import io.github.t2i4j.core.world.eval.ImageDegradations;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import io.github.t2i4j.suti.subjects.SubjectScene;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiFunction;

/**
 * Measures how {@link SubjectFidelity} separates subjects: for each subject, the score of a correct
 * render in a random context (a positive), of {@code negatives} other subjects drawn at random from
 * the list, and of {@code negatives} other subjects of the same shape (hard negatives), each in a random
 * context; all judged against the subject, optionally after a degradation of the rendered image.
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

    /** Measures the scores on clean renders. */
    public static Scores measure(List<Subject> subjects, int negatives, long seed) {
        return measure(subjects, negatives, seed, (img, rng) -> img);
    }

    /** Measures the scores with each render degraded (see the class comment); deterministic in the seed. */
    public static Scores measure(
            List<Subject> subjects, int negatives, long seed, BiFunction<BufferedImage, SplittableRandom, BufferedImage> degrade) {
        SubjectFidelity fidelity = new SubjectFidelity();
        SubjectRenderer renderer = new SubjectRenderer();
        SplittableRandom rng = new SplittableRandom(seed);
        List<Double> pos = new ArrayList<>();
        List<Double> neg = new ArrayList<>();
        List<Double> hard = new ArrayList<>();
        for (Subject s : subjects) {
            pos.add(score(fidelity, renderer, s, s, degrade, rng));
            for (int k = 0; k < negatives; k++) {
                Subject o;
                do {
                    o = subjects.get(rng.nextInt(subjects.size()));
                } while (o.id() == s.id());
                neg.add(score(fidelity, renderer, s, o, degrade, rng));
            }
            List<Subject> same = subjects.stream().filter(o -> o.id() != s.id() && o.shape() == s.shape()).toList();
            for (int k = 0; k < negatives && !same.isEmpty(); k++) {
                hard.add(score(fidelity, renderer, s, same.get(rng.nextInt(same.size())), degrade, rng));
            }
        }
        return new Scores(array(pos), array(neg), array(hard));
    }

    private static double score(
            SubjectFidelity f,
            SubjectRenderer r,
            Subject judged,
            Subject drawn,
            BiFunction<BufferedImage, SplittableRandom, BufferedImage> degrade,
            SplittableRandom rng) {
        SubjectScene scene = SubjectScene.stage(drawn, Demonstrations.randomContext(rng), rng);
        return f.score(degrade.apply(r.render(scene), rng), judged).score();
    }

    private static double[] array(List<Double> v) {
        return v.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /**
     * Writes the calibration table of the suti README (the whole catalog, 10 random and 10 same-shape
     * negatives per subject, clean and degraded renders) as Markdown:
     * {@code FidelityCalibration <out.md>}.
     */
    public static void main(String[] args) throws IOException {
        Map<String, BiFunction<BufferedImage, SplittableRandom, BufferedImage>> conditions = new LinkedHashMap<>();
        conditions.put("clean", (img, rng) -> img);
        conditions.put("Gaussian blur sigma 1 px", (img, rng) -> ImageDegradations.gaussianBlur(img, 1.0));
        conditions.put("noise sigma 0.05", (img, rng) -> ImageDegradations.gaussianNoise(img, 0.05, rng));
        conditions.put("colour cast (gain 10%, offset 0.05, hue 10 deg)",
                (img, rng) -> ImageDegradations.randomColourShift(img, 0.1, 0.05, 10, rng));
        List<Subject> subjects = SubjectCatalog.load().all();
        StringBuilder sb = new StringBuilder();
        sb.append("| renders | positives pass | random others pass | same-shape others pass | positive score p1 / p50 | other score p50 / p99 / max |\n");
        sb.append("|---|---|---|---|---|---|\n");
        for (Map.Entry<String, BiFunction<BufferedImage, SplittableRandom, BufferedImage>> c : conditions.entrySet()) {
            Scores s = measure(subjects, 10, 1, c.getValue());
            double[] p = sorted(s.positives());
            double[] o = sorted(concat(s.negatives(), s.sameShapeNegatives()));
            sb.append(String.format(Locale.ROOT, "| %s | %.4f (%d) | %.4f (%d) | %.4f (%d) | %.3f / %.3f | %.3f / %.3f / %.3f |%n",
                    c.getKey(), s.positivePassRate(), p.length, s.negativePassRate(), s.negatives().length,
                    s.sameShapePassRate(), s.sameShapeNegatives().length, quantile(p, 0.01), quantile(p, 0.5),
                    quantile(o, 0.5), quantile(o, 0.99), o[o.length - 1]));
        }
        Files.writeString(Path.of(args.length > 0 ? args[0] : "fidelity-calibration.md"), sb.toString(), StandardCharsets.UTF_8);
    }

    private static double[] sorted(double[] v) {
        double[] out = v.clone();
        Arrays.sort(out);
        return out;
    }

    private static double[] concat(double[] a, double[] b) {
        double[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static double quantile(double[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))];
    }
}
