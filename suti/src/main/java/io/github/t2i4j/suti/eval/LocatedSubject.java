package io.github.t2i4j.suti.eval;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Placement;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * The subject of an image as found from pixels: the largest foreground component, with soft coverage.
 *
 * <ul>
 *   <li><b>Background</b>: the per-channel median of the border ring ({@code max(1, side / 32)} pixels
 *       wide) and its noise the half-sided quartile spread there, as the world's evaluator estimates them.
 *   <li><b>Component</b>: foreground pixels are farther from the background in RGB than
 *       {@value #FOREGROUND_DISTANCE} (or {@value #FOREGROUND_SIGMAS} noise sigmas); the subject is the
 *       largest 8-connected component of at least {@value #MIN_AREA_FRACTION} of the image. A subject's
 *       paints are all far from the light backgrounds, so it is one component whatever its pattern.
 *   <li><b>Unmixing</b>: antialiasing and blur blend the subject's edge with the background. The
 *       component's interior pixels (all 8 neighbours in it) are pure subject colour (coverage 1). Every
 *       other pixel of the component and of the one-pixel ring around it is unmixed against the mean
 *       colour {@code f} of the interior pixels within {@value #UNMIX_RADIUS} pixels: {@code p - bg = alpha
 *       (f - bg)}, alpha by least squares clamped to [0, 1]; its subject colour is {@code f}. A component
 *       with no interior (a tiny, thin blob) keeps its pixels' own colours with coverage 1.
 *   <li><b>Box</b>: sub-pixel edges from the per-column and per-row maxima of coverage (the first
 *       column reaching 0.5, moved out by the coverage of the one before it and in by what its own
 *       lacks), so the box does not jump by whole pixels with the subject's sub-pixel position.
 * </ul>
 */
public final class LocatedSubject {
    /** Foreground threshold on the RGB distance to the background, [0, 1] units (every paint is above 0.75 away). */
    public static final double FOREGROUND_DISTANCE = 0.3;
    /** ... raised to this many noise sigmas on noisy images. */
    public static final double FOREGROUND_SIGMAS = 6;
    /** Smallest subject, as a fraction of the image area (20 px at 64x64; a small star covers about 75). */
    public static final double MIN_AREA_FRACTION = 20.0 / 4096;
    /** Chebyshev radius of the interior pixels an edge pixel is unmixed against. */
    public static final int UNMIX_RADIUS = 2;

    final int width;
    final int height;
    /** Coverage in [0, 1] per pixel (0 off the subject). */
    final float[] alpha;
    /** The subject's own colour per covered pixel, three planes in [0, 1]. */
    final float[][] colour;
    private final double[] background;
    private final double noise;
    private final int pixels;
    private final double[] box;

    private LocatedSubject(
            int width, int height, float[] alpha, float[][] colour, double[] background, double noise, int pixels,
            double[] box) {
        this.width = width;
        this.height = height;
        this.alpha = alpha;
        this.colour = colour;
        this.background = background;
        this.noise = noise;
        this.pixels = pixels;
        this.box = box;
    }

    /** Finds the subject of an image (see the class comment). */
    public static LocatedSubject locate(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int n = w * h;
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        float[][] p = new float[3][n];
        for (int i = 0; i < n; i++) {
            p[0][i] = ((argb[i] >> 16) & 0xFF) / 255f;
            p[1][i] = ((argb[i] >> 8) & 0xFF) / 255f;
            p[2][i] = (argb[i] & 0xFF) / 255f;
        }
        double[] bg = new double[3];
        double sigma = borderStatistics(p, w, h, bg);
        double threshold = Math.max(FOREGROUND_DISTANCE, FOREGROUND_SIGMAS * sigma);
        boolean[] fg = new boolean[n];
        for (int i = 0; i < n; i++) {
            double dr = p[0][i] - bg[0];
            double dg = p[1][i] - bg[1];
            double db = p[2][i] - bg[2];
            fg[i] = Math.sqrt(dr * dr + dg * dg + db * db) > threshold;
        }
        boolean[] mask = new boolean[n];
        int count = largestComponent(fg, w, h, mask);
        float[] alpha = new float[n];
        float[][] colour = new float[3][n];
        if (count < Math.max(4, (int) Math.round(MIN_AREA_FRACTION * n))) {
            return new LocatedSubject(w, h, alpha, colour, bg, sigma, 0, new double[4]);
        }
        unmix(p, bg, mask, w, h, alpha, colour);
        return new LocatedSubject(w, h, alpha, colour, bg, sigma, count, box(alpha, w, h));
    }

    /** The subject's coverage per pixel in [0, 1], row-major (all zero when none was found); a copy. */
    public float[] coverage() {
        return alpha.clone();
    }

    /** Whether a subject was found. */
    public boolean found() {
        return pixels > 0;
    }

    /** Pixels of the subject's component. */
    public int pixels() {
        return pixels;
    }

    /** Sub-pixel bounding box {@code {x0, y0, x1, y1}} in pixels. */
    public double[] box() {
        return box.clone();
    }

    /** Larger side of the bounding box in pixels. */
    public double side() {
        return Math.max(box[2] - box[0], box[3] - box[1]);
    }

    /** Centre and extent of the bounding box, in the world's {@link Placement} units. */
    public Placement placement() {
        return Placement.ofPixels(box[0], box[1], box[2], box[3], width, height);
    }

    /** Area in pixels: the sum of coverage (blur moves coverage around but keeps its sum). */
    public double area() {
        double a = 0;
        for (float v : alpha) {
            a += v;
        }
        return a;
    }

    /** Coverage-weighted centre {@code {x, y}} in pixels (pixel i spans [i, i + 1)). */
    public double[] centroid() {
        double a = 0;
        double sx = 0;
        double sy = 0;
        for (int i = 0; i < alpha.length; i++) {
            if (alpha[i] > 0) {
                a += alpha[i];
                sx += alpha[i] * (i % width + 0.5);
                sy += alpha[i] * (i / width + 0.5);
            }
        }
        return a <= 0 ? new double[] {width / 2.0, height / 2.0} : new double[] {sx / a, sy / a};
    }

    /** The estimated background colour, channels in [0, 1]. */
    public double[] background() {
        return background.clone();
    }

    /** The estimated background as an AWT colour. */
    public Color backgroundColour() {
        return new Color(byteOf(background[0]), byteOf(background[1]), byteOf(background[2]));
    }

    /** The world background nearest (in RGB) to the estimated one. */
    public Background nearestBackground() {
        Background best = null;
        double bestD = Double.MAX_VALUE;
        for (Background bgc : Background.values()) {
            int c = bgc.rgb();
            double dr = ((c >> 16) & 0xFF) / 255.0 - background[0];
            double dg = ((c >> 8) & 0xFF) / 255.0 - background[1];
            double db = (c & 0xFF) / 255.0 - background[2];
            double d = dr * dr + dg * dg + db * db;
            if (d < bestD) {
                bestD = d;
                best = bgc;
            }
        }
        return best;
    }

    /** Mean per-channel noise sigma estimated on the border, [0, 1] units. */
    public double noise() {
        return noise;
    }

    private static int byteOf(double v) {
        return (int) Math.max(0, Math.min(255, Math.round(v * 255)));
    }

    /** Fills coverage and subject colour for the component and its one-pixel ring (see the class comment). */
    private static void unmix(float[][] p, double[] bg, boolean[] mask, int w, int h, float[] alpha, float[][] colour) {
        int n = w * h;
        boolean[] interior = new boolean[n];
        boolean any = false;
        for (int i = 0; i < n; i++) {
            if (mask[i]) {
                interior[i] = allNeighbours(mask, i % w, i / w, w, h);
                any |= interior[i];
            }
        }
        for (int i = 0; i < n; i++) {
            int x = i % w;
            int y = i / w;
            boolean ring = !mask[i] && anyNeighbour(mask, x, y, w, h);
            if (!mask[i] && !ring) {
                continue;
            }
            if (interior[i] || (!any && mask[i])) {
                alpha[i] = 1;
                for (int c = 0; c < 3; c++) {
                    colour[c][i] = p[c][i];
                }
                continue;
            }
            double[] f = new double[3];
            int m = 0;
            for (int yy = Math.max(0, y - UNMIX_RADIUS); yy <= Math.min(h - 1, y + UNMIX_RADIUS); yy++) {
                for (int xx = Math.max(0, x - UNMIX_RADIUS); xx <= Math.min(w - 1, x + UNMIX_RADIUS); xx++) {
                    int j = yy * w + xx;
                    if (interior[j]) {
                        for (int c = 0; c < 3; c++) {
                            f[c] += p[c][j];
                        }
                        m++;
                    }
                }
            }
            if (m == 0) {
                // no pure colour nearby (a thin tip): the pixel's own colour, full coverage if in the component
                alpha[i] = mask[i] ? 1 : 0;
                for (int c = 0; c < 3; c++) {
                    colour[c][i] = p[c][i];
                }
                continue;
            }
            double num = 0;
            double den = 0;
            for (int c = 0; c < 3; c++) {
                f[c] /= m;
                double d = f[c] - bg[c];
                num += (p[c][i] - bg[c]) * d;
                den += d * d;
            }
            alpha[i] = (float) Math.max(0, Math.min(1, den < 1e-9 ? 0 : num / den));
            for (int c = 0; c < 3; c++) {
                colour[c][i] = (float) f[c];
            }
        }
    }

    private static boolean allNeighbours(boolean[] mask, int x, int y, int w, int h) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx < 0 || yy < 0 || xx >= w || yy >= h || !mask[yy * w + xx]) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean anyNeighbour(boolean[] mask, int x, int y, int w, int h) {
        for (int dy = -1; dy <= 1; dy++) {
            for (int dx = -1; dx <= 1; dx++) {
                int xx = x + dx;
                int yy = y + dy;
                if (xx >= 0 && yy >= 0 && xx < w && yy < h && mask[yy * w + xx]) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Sub-pixel box from the coverage's column and row maxima. */
    private static double[] box(float[] alpha, int w, int h) {
        float[] col = new float[w];
        float[] row = new float[h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float a = alpha[y * w + x];
                col[x] = Math.max(col[x], a);
                row[y] = Math.max(row[y], a);
            }
        }
        double[] xs = edges(col);
        double[] ys = edges(row);
        return new double[] {xs[0], ys[0], xs[1], ys[1]};
    }

    /** Sub-pixel [start, end) of a coverage profile. */
    private static double[] edges(float[] profile) {
        int n = profile.length;
        int first = -1;
        int last = -1;
        for (int i = 0; i < n; i++) {
            if (profile[i] >= 0.5f) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0) {
            return new double[] {0, 0};
        }
        double before = first > 0 ? profile[first - 1] : 0;
        double after = last + 1 < n ? profile[last + 1] : 0;
        return new double[] {first + (1 - profile[first]) - before, last + profile[last] + after};
    }

    /** Fills {@code bg} with the border ring's per-channel median; returns the mean half-sided noise sigma. */
    private static double borderStatistics(float[][] p, int w, int h, double[] bg) {
        int ring = Math.max(1, Math.min(w, h) / 32);
        int count = 0;
        int[] idx = new int[w * h];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x < ring || y < ring || x >= w - ring || y >= h - ring) {
                    idx[count++] = y * w + x;
                }
            }
        }
        double sigma = 0;
        double[] values = new double[count];
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < count; k++) {
                values[k] = p[c][idx[k]];
            }
            Arrays.sort(values);
            double med = quantile(values, 0.5);
            bg[c] = med;
            // spread on the side away from the nearer clipping bound (light backgrounds clip noise at 1)
            double spread = med >= 0.5 ? med - quantile(values, 0.25) : quantile(values, 0.75) - med;
            sigma += spread / 0.6745 / 3;
        }
        return sigma;
    }

    private static double quantile(double[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
        return sorted[i];
    }

    /** Marks the largest 8-connected component of {@code fg} in {@code out}; returns its size. */
    private static int largestComponent(boolean[] fg, int w, int h, boolean[] out) {
        int n = w * h;
        int[] label = new int[n];
        Arrays.fill(label, -1);
        ArrayDeque<Integer> queue = new ArrayDeque<>();
        int bestLabel = -1;
        int bestSize = 0;
        int next = 0;
        for (int s = 0; s < n; s++) {
            if (!fg[s] || label[s] >= 0) {
                continue;
            }
            int id = next++;
            int size = 0;
            label[s] = id;
            queue.add(s);
            while (!queue.isEmpty()) {
                int i = queue.poll();
                size++;
                int x = i % w;
                int y = i / w;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int xx = x + dx;
                        int yy = y + dy;
                        if (xx >= 0 && yy >= 0 && xx < w && yy < h) {
                            int j = yy * w + xx;
                            if (fg[j] && label[j] < 0) {
                                label[j] = id;
                                queue.add(j);
                            }
                        }
                    }
                }
            }
            if (size > bestSize) {
                bestSize = size;
                bestLabel = id;
            }
        }
        for (int i = 0; i < n; i++) {
            out[i] = bestLabel >= 0 && label[i] == bestLabel;
        }
        return bestSize;
    }
}
