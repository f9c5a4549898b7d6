package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Colour;
import java.util.Arrays;

/**
 * Everything the evaluator measures on one segmented region, in pixel units.
 *
 * <p><b>Colour.</b> The mean chromatic vector of the region's 4-interior (see {@link ColourNames}): texture
 * shades share the hue, and background blends at the edge are left out.
 *
 * <p><b>Unmixing.</b> Every pixel of an object is a blend of three colours: the background, the object's
 * base colour and its texture shade ({@link Colour#SHADE} times the base), blended by antialiasing, blur
 * and texture edges. Each pixel of the region and of its one-pixel ring (not owned by another region)
 * is unmixed by least squares, {@code p - bg = beta (base - bg) + gamma (shade - bg)}: its coverage is
 * {@code beta + gamma} and its texture darkness {@code gamma / (beta + gamma)} (0 on the base, 1 on the
 * shade). The base colour is the mean of the interior pixels whose distance to the background is near
 * the base's ({@code D}: the 30th percentile of the interior's distances, since shades lie farther from
 * the light backgrounds; raised towards the named palette colour's distance, at most to the 90th
 * percentile, so a blurred small object, all blend, does not take a blend for its base). The soft
 * coverage used below is {@code alpha = clamp((coverage - 0.1) / 0.8, 0, 1)}; the 0.1 floor keeps
 * background noise out.
 *
 * <p><b>Box.</b> Sub-pixel bounding box from the per-column and per-row maxima of alpha: the first column
 * reaching 0.5, moved out by the coverage of the column before it and in by what its own coverage lacks.
 *
 * <p><b>Silhouette.</b> Alpha resampled bilinearly on a {@value #GRID}x{@value #GRID} grid spanning the
 * square on the box's centre whose side is the box's larger side: a scale- and position-normalised
 * silhouette that keeps the aspect ratio (a long bar is not a square), for {@link ShapePrototypes}. {@code coverage} (the sum
 * of alpha) is the object's area, which blur preserves.
 *
 * <p><b>Texture.</b> On the interior (alpha >= {@value #INTERIOR_COVERAGE}) the darkness clipped to [0, 1];
 * then the mean squared difference of horizontal neighbours {@code ex} and of vertical neighbours
 * {@code ey}, each less the {@code 2 sigma_t^2} that the background's measured noise contributes through
 * the unmixing. Solid objects have little energy {@code ex + ey}; the world's stripes are horizontal, so
 * they have {@code ey >> ex}; dots have both.
 */
record RegionMeasurement(
        int pixels,
        double coverage,
        double x0,
        double y0,
        double x1,
        double y1,
        float[] silhouette,
        double hue,
        double textureX,
        double textureY,
        double textureNoise) {

    /** Side of the normalised silhouette grid. */
    static final int GRID = 16;
    /** Percentile of the interior's distance to the background taken as the base colour's. */
    static final double BASE_DISTANCE_PERCENTILE = 0.3;
    /** Largest RGB distance between a measured base colour and its palette colour for the palette to be used. */
    static final double PALETTE_TOLERANCE = 0.15;
    /** Pixel distance of the differences the texture energy is measured on (2: half the stripe period, robust to blur). */
    static final int TEXTURE_LAG = 2;
    /** Alpha a pixel needs to count in the texture measurement. */
    static final float INTERIOR_COVERAGE = 0.9f;

    /** Texture energy above noise. */
    double textureEnergy() {
        return textureX + textureY;
    }

    /** (ey - ex) / (ey + ex): +1 for horizontal stripes, ~0 for isotropic patterns. */
    double textureOrientation() {
        double e = textureEnergy();
        return e <= 1e-9 ? 0 : (textureY - textureX) / e;
    }

    static RegionMeasurement measure(Segmenter.Segmentation seg, int label) {
        RgbImage img = seg.image();
        Segmenter.BackgroundEstimate bg = seg.background();
        int w = img.width;
        int h = img.height;
        int[] region = seg.regions().get(label);
        int[] labels = seg.labels();
        float[] dist = seg.distance();

        int minX = Integer.MAX_VALUE;
        int minY = Integer.MAX_VALUE;
        int maxX = -1;
        int maxY = -1;
        for (int p : region) {
            minX = Math.min(minX, p % w);
            maxX = Math.max(maxX, p % w);
            minY = Math.min(minY, p / w);
            maxY = Math.max(maxY, p / w);
        }
        // Window with a 2-pixel margin (1 for the ring, 1 so the box formulas can look one further).
        int wx0 = Math.max(0, minX - 2);
        int wy0 = Math.max(0, minY - 2);
        int ww = Math.min(w, maxX + 3) - wx0;
        int wh = Math.min(h, maxY + 3) - wy0;

        boolean[] inRegion = new boolean[ww * wh];
        for (int p : region) {
            inRegion[(p / w - wy0) * ww + (p % w - wx0)] = true;
        }
        // Hue and base colour over the region's 4-interior (all of it for tiny regions).
        int[] core = new int[region.length];
        int nCore = 0;
        for (int p : region) {
            int lx = p % w - wx0;
            int ly = p / w - wy0;
            if (lx > 0 && ly > 0 && lx < ww - 1 && ly < wh - 1
                    && inRegion[ly * ww + lx - 1] && inRegion[ly * ww + lx + 1]
                    && inRegion[(ly - 1) * ww + lx] && inRegion[(ly + 1) * ww + lx]) {
                core[nCore++] = p;
            }
        }
        if (nCore < 5) {
            core = region;
            nCore = region.length;
        }
        double sa = 0;
        double sb = 0;
        float[] coreDist = new float[nCore];
        for (int k = 0; k < nCore; k++) {
            int p = core[k];
            sa += ColourNames.a(img.r[p], img.g[p], img.b[p]);
            sb += ColourNames.b(img.r[p], img.g[p], img.b[p]);
            coreDist[k] = dist[p];
        }
        double hue = ColourNames.angle(sa, sb);
        Colour named = ColourNames.name(hue);
        Arrays.sort(coreDist);
        double baseDistance = Math.max(
                percentile(coreDist, BASE_DISTANCE_PERCENTILE),
                Math.min(paletteDistance(named, bg), percentile(coreDist, 0.9)));
        double[] base = baseColour(img, core, nCore, dist, baseDistance, named);
        Unmixer unmix = new Unmixer(bg, base);

        // Coverage and darkness on the region and its ring.
        float[] alpha = new float[ww * wh];
        float[] dark = new float[ww * wh];
        double coverage = 0;
        for (int ly = 0; ly < wh; ly++) {
            for (int lx = 0; lx < ww; lx++) {
                int li = ly * ww + lx;
                int p = (ly + wy0) * w + lx + wx0;
                boolean take = inRegion[li];
                if (!take && labels[p] < 0) {
                    for (int dy = -1; dy <= 1 && !take; dy++) {
                        for (int dx = -1; dx <= 1 && !take; dx++) {
                            int x = lx + dx;
                            int y = ly + dy;
                            take = x >= 0 && y >= 0 && x < ww && y < wh && inRegion[y * ww + x];
                        }
                    }
                }
                if (take) {
                    double[] bc = unmix.apply(img.r[p], img.g[p], img.b[p]);
                    double cov = bc[0] + bc[1];
                    alpha[li] = (float) Math.max(0, Math.min(1, (cov - 0.1) / 0.8));
                    dark[li] = (float) bc[1];
                    coverage += alpha[li];
                }
            }
        }

        // Sub-pixel box.
        float[] colMax = new float[ww];
        float[] rowMax = new float[wh];
        for (int ly = 0; ly < wh; ly++) {
            for (int lx = 0; lx < ww; lx++) {
                float a = alpha[ly * ww + lx];
                colMax[lx] = Math.max(colMax[lx], a);
                rowMax[ly] = Math.max(rowMax[ly], a);
            }
        }
        double[] xs = edges(colMax);
        double[] ys = edges(rowMax);

        // Square sampling box on the box's centre, side = its larger side (keeps the aspect ratio).
        double side = Math.max(xs[1] - xs[0], ys[1] - ys[0]);
        double sx0 = (xs[0] + xs[1] - side) / 2;
        double sy0 = (ys[0] + ys[1] - side) / 2;
        float[] silhouette = new float[GRID * GRID];
        for (int gy = 0; gy < GRID; gy++) {
            double py = sy0 + (gy + 0.5) / GRID * side - 0.5;
            for (int gx = 0; gx < GRID; gx++) {
                double px = sx0 + (gx + 0.5) / GRID * side - 0.5;
                silhouette[gy * GRID + gx] = (float) bilinear(alpha, ww, wh, px, py);
            }
        }

        // Texture on the covered interior, from differences at lag TEXTURE_LAG.
        int lag = TEXTURE_LAG;
        double sumX = 0;
        double sumY = 0;
        int nx = 0;
        int ny = 0;
        for (int ly = 0; ly < wh; ly++) {
            for (int lx = 0; lx < ww; lx++) {
                int li = ly * ww + lx;
                if (alpha[li] < INTERIOR_COVERAGE) {
                    continue;
                }
                if (lx + lag < ww && alpha[li + lag] >= INTERIOR_COVERAGE) {
                    double d = dark[li + lag] - dark[li];
                    sumX += d * d;
                    nx++;
                }
                if (ly + lag < wh && alpha[li + lag * ww] >= INTERIOR_COVERAGE) {
                    double d = dark[li + lag * ww] - dark[li];
                    sumY += d * d;
                    ny++;
                }
            }
        }
        double noise = 2 * unmix.darknessNoiseVariance();
        double textureX = nx == 0 ? 0 : Math.max(0, sumX / nx - noise);
        double textureY = ny == 0 ? 0 : Math.max(0, sumY / ny - noise);
        // Standard error of the energy of pure noise: a squared difference of two N(0, s2) values has
        // mean 2 s2 and variance 8 s2^2.
        double s2 = unmix.darknessNoiseVariance();
        double textureNoise = Math.sqrt(8 * s2 * s2 / Math.max(1, nx) + 8 * s2 * s2 / Math.max(1, ny));
        return new RegionMeasurement(
                region.length,
                coverage,
                wx0 + xs[0],
                wy0 + ys[0],
                wx0 + xs[1],
                wy0 + ys[1],
                silhouette,
                hue,
                textureX,
                textureY,
                textureNoise);
    }

    /** Least-squares unmixing of a pixel into background, base and shade (see the class comment). */
    private static final class Unmixer {
        private final double[] bg;
        private final double[][] pinv = new double[2][3];
        private final double noiseVariance;

        Unmixer(Segmenter.BackgroundEstimate bg, double[] base) {
            this.bg = new double[] {bg.r(), bg.g(), bg.b()};
            double[] u = new double[3];
            double[] v = new double[3];
            for (int c = 0; c < 3; c++) {
                u[c] = base[c] - this.bg[c];
                v[c] = base[c] * Colour.SHADE - this.bg[c];
            }
            double uu = dot(u, u);
            double uv = dot(u, v);
            double vv = dot(v, v);
            double det = uu * vv - uv * uv;
            if (det < 1e-9) { // degenerate palette: treat shade as base (no texture signal)
                for (int c = 0; c < 3; c++) {
                    pinv[0][c] = u[c] / Math.max(uu, 1e-9);
                }
            } else {
                for (int c = 0; c < 3; c++) {
                    pinv[0][c] = (vv * u[c] - uv * v[c]) / det;
                    pinv[1][c] = (uu * v[c] - uv * u[c]) / det;
                }
            }
            double[] sigma2 = {bg.sigmaR() * bg.sigmaR(), bg.sigmaG() * bg.sigmaG(), bg.sigmaB() * bg.sigmaB()};
            double nv = 0;
            for (int c = 0; c < 3; c++) {
                nv += pinv[1][c] * pinv[1][c] * sigma2[c];
            }
            noiseVariance = nv;
        }

        /** (beta, gamma): base and shade weights. */
        double[] apply(double r, double g, double b) {
            double dr = r - bg[0];
            double dg = g - bg[1];
            double db = b - bg[2];
            return new double[] {
                pinv[0][0] * dr + pinv[0][1] * dg + pinv[0][2] * db, pinv[1][0] * dr + pinv[1][1] * dg + pinv[1][2] * db
            };
        }

        /** Variance that background-level noise adds to a fully covered pixel's darkness. */
        double darknessNoiseVariance() {
            return noiseVariance;
        }

        private static double dot(double[] a, double[] b) {
            return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
        }
    }

    /**
     * The base colour: the named palette colour, unless the interior pixels within 10% of the base
     * distance average to something farther than {@link #PALETTE_TOLERANCE} from it (an off-palette
     * object), then that average. The palette is preferred because blur leaves no pure base pixel in
     * a striped object, only base-shade blends.
     */
    private static double[] baseColour(RgbImage img, int[] core, int nCore, float[] dist, double baseDistance, Colour named) {
        int rgb = named.rgb();
        double[] palette = {((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0};
        double[] sum = new double[3];
        int n = 0;
        for (int k = 0; k < nCore; k++) {
            int p = core[k];
            if (Math.abs(dist[p] - baseDistance) <= 0.1 * baseDistance) {
                sum[0] += img.r[p];
                sum[1] += img.g[p];
                sum[2] += img.b[p];
                n++;
            }
        }
        if (n < 3) {
            return palette;
        }
        double[] measured = {sum[0] / n, sum[1] / n, sum[2] / n};
        double dr = measured[0] - palette[0];
        double dg = measured[1] - palette[1];
        double db = measured[2] - palette[2];
        return Math.sqrt(dr * dr + dg * dg + db * db) <= PALETTE_TOLERANCE ? palette : measured;
    }

    /** RGB distance of a palette colour to the estimated background. */
    private static double paletteDistance(Colour c, Segmenter.BackgroundEstimate bg) {
        int rgb = c.rgb();
        double dr = ((rgb >> 16) & 0xFF) / 255.0 - bg.r();
        double dg = ((rgb >> 8) & 0xFF) / 255.0 - bg.g();
        double db = (rgb & 0xFF) / 255.0 - bg.b();
        return Math.sqrt(dr * dr + dg * dg + db * db);
    }

    /** Sub-pixel [start, end) of a coverage profile (see the class comment). */
    private static double[] edges(float[] profile) {
        int n = profile.length;
        int first = -1;
        int last = -1;
        float peak = 0;
        int peakAt = 0;
        for (int i = 0; i < n; i++) {
            if (profile[i] > peak) {
                peak = profile[i];
                peakAt = i;
            }
            if (profile[i] >= 0.5f) {
                if (first < 0) {
                    first = i;
                }
                last = i;
            }
        }
        if (first < 0) {
            return new double[] {peakAt, peakAt + 1};
        }
        double before = first > 0 ? profile[first - 1] : 0;
        double after = last + 1 < n ? profile[last + 1] : 0;
        return new double[] {first + (1 - profile[first]) - before, last + profile[last] + after};
    }

    private static double bilinear(float[] a, int w, int h, double x, double y) {
        int ix = (int) Math.floor(x);
        int iy = (int) Math.floor(y);
        double fx = x - ix;
        double fy = y - iy;
        return (1 - fy) * ((1 - fx) * at(a, w, h, ix, iy) + fx * at(a, w, h, ix + 1, iy))
                + fy * ((1 - fx) * at(a, w, h, ix, iy + 1) + fx * at(a, w, h, ix + 1, iy + 1));
    }

    private static float at(float[] a, int w, int h, int x, int y) {
        return x < 0 || y < 0 || x >= w || y >= h ? 0 : a[y * w + x];
    }

    /** Quantile of sorted values (nearest rank). */
    private static double percentile(float[] sorted, double q) {
        int i = (int) Math.min(sorted.length - 1, Math.max(0, Math.round(q * (sorted.length - 1))));
        return sorted[i];
    }
}
