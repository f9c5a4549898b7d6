package io.github.t2i4j.suti.eval;

import io.github.t2i4j.core.world.Placement;
import io.github.t2i4j.core.world.eval.ImageDegradations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.image.BufferedImage;

/**
 * Subject fidelity judged from pixels (the world's stand-in for DreamBench's DINO score): does the
 * subject in a generated image look like the demonstrated one?
 *
 * <ol>
 *   <li><b>Locate</b> ({@link LocatedSubject}): the largest foreground component of the image, with
 *       soft coverage and its own (background-free) colour per pixel, and a sub-pixel bounding box.
 *   <li><b>Reference</b>: the subject's canonical rendering, centred where the located box is centred,
 *       as large as the box's larger side, on the estimated background colour, located the same way;
 *       then re-rendered once, moved and scaled so that its coverage centroid and area match the found
 *       subject's; judged sharp and at the Gaussian blurs {@link #REFERENCE_BLURS}, the best score
 *       counting (generated images have soft edges: matching their softness keeps a blurred but
 *       correct subject from losing its pattern's boundaries).
 *   <li><b>Describe</b>: each of the two is normalised to a {@value #GRID}x{@value #GRID} grid over the
 *       square on its coverage centroid whose side is {@code k sqrt(area)}, with {@code k} the
 *       reference's box side over the square root of its area (the same for both). Centroid and area
 *       move smoothly with the subject and survive blur, unlike a box, which jumps when a thin part (a
 *       small star's tip) crosses a pixel. Per cell, integrating over the
 *       pixels' overlap with the cell, the coverage {@code a} (mean coverage) and the coverage-weighted
 *       mean colour {@code c}. Integration (rather than point samples) keeps the descriptor steady when
 *       the subject moves by a fraction of a pixel.
 *   <li><b>Compare</b>: {@code score = sum_k min(a_k, a'_k) (1 - d_k) / sum_k max(a_k, a'_k)}, where
 *       {@code d_k = min(1, |c_k - c'_k| / }{@value #COLOUR_TOLERANCE}{@code )} is the cell's colour
 *       disagreement (RGB distance in [0, 1] units): a soft intersection over union in which overlapping
 *       cells count only as much as their colours agree. 1 for a pixel-identical subject; a wrong
 *       silhouette loses the non-overlap, a wrong pattern the overlap.
 * </ol>
 *
 * A subject {@link Result#passed() passes} at a score of {@value #PASS} or more, calibrated on the
 * catalog (see the suti README): correct renders of a subject in new contexts pass, other subjects fail.
 */
public final class SubjectFidelity {
    /** Side of the normalised grid. */
    public static final int GRID = 12;
    /** RGB distance at which a cell's colours fully disagree (subject paints are at least 0.3 apart). */
    public static final double COLOUR_TOLERANCE = 0.4;
    /**
     * Gaussian blurs (sigma in pixels) the reference is also judged at; the best score counts, so a
     * generator's soft edges are compared with an equally soft reference.
     */
    static final double[] REFERENCE_BLURS = {0, 0.5, 1.0, 1.5};
    /** Score from which the subject counts as the demonstrated one. */
    public static final double PASS = 0.65;

    /** The verdict on one image: the score in [0, 1], whether it passes, and where the subject was found (null if not). */
    public record Result(double score, boolean passed, Placement placement) {}

    /** A new measure (stateless; safe to share between threads). */
    public SubjectFidelity() {}

    /** Scores the subject found in the image against the given subject. */
    public Result score(BufferedImage image, Subject subject) {
        LocatedSubject found = LocatedSubject.locate(image);
        if (!found.found()) {
            return new Result(0, false, null);
        }
        BufferedImage sharp = reference(subject, found, image.getWidth(), image.getHeight());
        double best = 0;
        for (double sigma : REFERENCE_BLURS) {
            LocatedSubject ref = LocatedSubject.locate(sigma > 0 ? ImageDegradations.gaussianBlur(sharp, sigma) : sharp);
            if (ref.found()) {
                // one frame scale for both: the reference's box side per square root of area
                double scale = ref.side() / Math.sqrt(ref.area());
                best = Math.max(best, compare(describe(found, scale), describe(ref, scale)));
            }
        }
        return new Result(best, best >= PASS, found.placement());
    }

    /**
     * The subject's canonical rendering on the found background, first centred on the found box with its
     * extent, then moved and scaled once so that its centroid and area match the found subject's.
     */
    static BufferedImage reference(Subject subject, LocatedSubject found, int width, int height) {
        SubjectRenderer r = new SubjectRenderer(width, height);
        Placement p = found.placement();
        double x = p.x();
        double y = p.y();
        double extent = Math.min(1, p.extent());
        double[] target = found.centroid();
        BufferedImage img = r.render(subject, x, y, extent, found.backgroundColour());
        LocatedSubject ref = LocatedSubject.locate(img);
        if (ref.found()) {
            double[] got = ref.centroid();
            x = clamp(x + (target[0] - got[0]) / width);
            y = clamp(y + (target[1] - got[1]) / height);
            extent = Math.min(1, extent * Math.sqrt(found.area() / ref.area()));
            img = r.render(subject, x, y, extent, found.backgroundColour());
        }
        return img;
    }

    private static double clamp(double v) {
        return Math.max(0, Math.min(1, v));
    }

    /**
     * Per cell of the {@value #GRID}x{@value #GRID} grid over the square centred on the subject's centroid
     * with side {@code scale * sqrt(area)}: coverage, then mean R, G, B of the subject
     * ({@code 4 * GRID * GRID} values).
     */
    static float[] describe(LocatedSubject s, double scale) {
        float[] out = new float[4 * GRID * GRID];
        if (!s.found()) {
            return out;
        }
        double side = scale * Math.sqrt(s.area());
        double[] c = s.centroid();
        double sx0 = c[0] - side / 2;
        double sy0 = c[1] - side / 2;
        double cell = side / GRID;
        for (int gy = 0; gy < GRID; gy++) {
            double cy0 = sy0 + gy * cell;
            double cy1 = cy0 + cell;
            for (int gx = 0; gx < GRID; gx++) {
                double cx0 = sx0 + gx * cell;
                double cx1 = cx0 + cell;
                double a = 0;
                double cr = 0;
                double cg = 0;
                double cb = 0;
                for (int y = Math.max(0, (int) Math.floor(cy0)); y < Math.min(s.height, (int) Math.ceil(cy1)); y++) {
                    double oy = Math.min(y + 1, cy1) - Math.max(y, cy0);
                    for (int x = Math.max(0, (int) Math.floor(cx0)); x < Math.min(s.width, (int) Math.ceil(cx1)); x++) {
                        int i = y * s.width + x;
                        if (s.alpha[i] <= 0) {
                            continue;
                        }
                        double wa = oy * (Math.min(x + 1, cx1) - Math.max(x, cx0)) * s.alpha[i];
                        a += wa;
                        cr += wa * s.colour[0][i];
                        cg += wa * s.colour[1][i];
                        cb += wa * s.colour[2][i];
                    }
                }
                int k = 4 * (gy * GRID + gx);
                out[k] = (float) Math.min(1, a / (cell * cell));
                if (a > 0) {
                    out[k + 1] = (float) (cr / a);
                    out[k + 2] = (float) (cg / a);
                    out[k + 3] = (float) (cb / a);
                }
            }
        }
        return out;
    }

    /** The colour-weighted soft intersection over union of two descriptors (see the class comment). */
    static double compare(float[] a, float[] b) {
        double inter = 0;
        double union = 0;
        for (int k = 0; k < a.length; k += 4) {
            double lo = Math.min(a[k], b[k]);
            double hi = Math.max(a[k], b[k]);
            union += hi;
            if (lo > 0) {
                double dr = a[k + 1] - b[k + 1];
                double dg = a[k + 2] - b[k + 2];
                double db = a[k + 3] - b[k + 3];
                double d = Math.min(1, Math.sqrt(dr * dr + dg * dg + db * db) / COLOUR_TOLERANCE);
                inter += lo * (1 - d);
            }
        }
        return union <= 0 ? 0 : inter / union;
    }
}
