package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.Shape;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * A subject of the bundled world: an object of a class the captions can name (its {@link Shape}: "a
 * circle") with an identity they cannot (its {@link SubjectPattern}: two or three colours in a seeded
 * arrangement with marks). Like the dogs and teapots of DreamBench, a subject is known only from
 * demonstration images. Everything follows from the seed ({@link #fromSeed}); {@code id} and
 * {@code split} say where the {@link SubjectCatalog} put it.
 */
public record Subject(int id, SubjectSplit split, long seed, Shape shape, SubjectPattern pattern) {

    public Subject {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(shape, "shape");
        Objects.requireNonNull(pattern, "pattern");
    }

    /** The subject a seed defines: the shape from the first draw of {@code new SplittableRandom(seed)}, then the pattern. */
    public static Subject fromSeed(int id, SubjectSplit split, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Shape shape = Shape.values()[rng.nextInt(Shape.values().length)];
        return new Subject(id, split, seed, shape, SubjectPattern.sample(shape, rng));
    }

    /** Whether two subjects look the same (same shape and pattern), whatever their ids and seeds. */
    public boolean sameAppearance(Subject other) {
        return shape == other.shape && pattern.equals(other.pattern);
    }

    /** RGB distance at which two paints count as wholly different in {@link #similarity}. */
    public static final double COLOUR_TOLERANCE = 0.4;
    /** Agreement of two paints (indices in {@link Paint#ALL}): {@code 1 - min(1, distance / COLOUR_TOLERANCE)}. */
    private static final double[][] AGREEMENT = agreement();

    /** Lattice side {@link #similarity} samples the unit frame on. */
    public static final int MAP_GRID = 32;

    /** The subject's {@link SubjectPattern#paintMap paint map} on the {@value #MAP_GRID} lattice. */
    public int[] paintMap() {
        return pattern.paintMap(shape, MAP_GRID);
    }

    /**
     * How alike two subjects look, from their definitions (no rendering), in [0, 1]: over the union of
     * the two silhouettes in the unit frame, the share of points inside both whose paints agree, a pair
     * of paints agreeing {@code 1 - min(1, distance / COLOUR_TOLERANCE)}. 1 for the same appearance; it is
     * the ideal form of the pixel measure {@code SubjectFidelity}.
     */
    public double similarity(Subject other) {
        return similarity(paintMap(), other.paintMap());
    }

    /** {@link #similarity} of two paint maps of the same lattice. */
    public static double similarity(int[] a, int[] b) {
        double agree = 0;
        int union = 0;
        for (int k = 0; k < a.length; k++) {
            if (a[k] < 0 && b[k] < 0) {
                continue;
            }
            union++;
            if (a[k] >= 0 && b[k] >= 0) {
                agree += AGREEMENT[a[k]][b[k]];
            }
        }
        return union == 0 ? 0 : agree / union;
    }

    private static double[][] agreement() {
        int n = Paint.ALL.size();
        double[][] out = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                out[i][j] = 1 - Math.min(1, Paint.ALL.get(i).distance(Paint.ALL.get(j)) / COLOUR_TOLERANCE);
            }
        }
        return out;
    }

    /** The class noun captions use, e.g. "circle". */
    public String noun() {
        return shape.word();
    }

    /** E.g. "subject 12 (train, circle)". */
    public String describe() {
        return "subject " + id + " (" + split.key() + ", " + noun() + ")";
    }
}
