package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Colour;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Finds the objects of an image: estimates the background from the border, marks pixels far from it in
 * RGB as foreground, labels 8-connected components, and splits a component that holds two or more
 * colours (touching objects) by hue. Texture patterns are painted in a shade of the object's own hue and
 * are far from the light background too, so an object is one component whatever its texture; specks
 * smaller than {@link #MIN_AREA_FRACTION} of the image are dropped.
 */
final class Segmenter {
    /** Smallest object, as a fraction of the image area (20 px at 64x64; the world's smallest star has ~75). */
    static final double MIN_AREA_FRACTION = 20.0 / 4096;
    /** Foreground threshold on the RGB distance to the background, in [0, 1] units (world colours are >= 0.78 away). */
    static final double FOREGROUND_DISTANCE = 0.3;
    /** ... raised to this many noise sigmas when the background is noisy. */
    static final double FOREGROUND_SIGMAS = 6;
    /** Pixels with less chroma than this do not vote on the hue of a component. */
    static final double MIN_VOTING_CHROMA = 0.08;
    /** A second hue must hold this share of a component (and the minimum area) to split it. */
    static final double SPLIT_SHARE = 0.12;

    private Segmenter() {}

    /** Background colour and per-channel noise sigma (robust: median and half-sided quartile spread of the border ring). */
    record BackgroundEstimate(double r, double g, double b, double sigmaR, double sigmaG, double sigmaB) {
        /** Sum of the three channel variances. */
        double noiseVariance() {
            return sigmaR * sigmaR + sigmaG * sigmaG + sigmaB * sigmaB;
        }

        /** Mean channel sigma. */
        double sigma() {
            return (sigmaR + sigmaG + sigmaB) / 3;
        }
    }

    /** The result: the image, its background, each pixel's distance to it, and the object regions. */
    record Segmentation(RgbImage image, BackgroundEstimate background, float[] distance, int[] labels, List<int[]> regions) {}

    static Segmentation segment(RgbImage img) {
        int w = img.width;
        int h = img.height;
        int n = img.size();
        BackgroundEstimate bg = background(img);
        float[] dist = new float[n];
        double threshold = Math.max(FOREGROUND_DISTANCE, FOREGROUND_SIGMAS * bg.sigma());
        boolean[] fg = new boolean[n];
        for (int i = 0; i < n; i++) {
            double dr = img.r[i] - bg.r();
            double dg = img.g[i] - bg.g();
            double db = img.b[i] - bg.b();
            dist[i] = (float) Math.sqrt(dr * dr + dg * dg + db * db);
            fg[i] = dist[i] > threshold;
        }
        int minArea = Math.max(4, (int) Math.round(MIN_AREA_FRACTION * n));
        int[] labels = new int[n];
        Arrays.fill(labels, -1);
        List<int[]> components = components(fg, w, h);
        List<int[]> regions = new ArrayList<>();
        int[] local = new int[n];
        Arrays.fill(local, -1);
        for (int[] comp : components) {
            if (comp.length < minArea) {
                continue;
            }
            for (int k = 0; k < comp.length; k++) {
                local[comp[k]] = k;
            }
            regions.addAll(splitByHue(img, comp, local, minArea));
            for (int p : comp) {
                local[p] = -1;
            }
        }
        regions.sort(Comparator.comparingInt((int[] r) -> r.length).reversed());
        for (int k = 0; k < regions.size(); k++) {
            for (int p : regions.get(k)) {
                labels[p] = k;
            }
        }
        return new Segmentation(img, withNoiseFromBackground(img, bg, fg), dist, labels, regions);
    }

    static BackgroundEstimate background(RgbImage img) {
        int w = img.width;
        int h = img.height;
        int ring = Math.max(1, Math.min(w, h) / 32);
        int count = 0;
        int[] idx = new int[2 * ring * (w + h)];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (x < ring || y < ring || x >= w - ring || y >= h - ring) {
                    idx[count++] = y * w + x;
                }
            }
        }
        float[][] planes = {img.r, img.g, img.b};
        double[] med = new double[3];
        double[] sigma = new double[3];
        double[] values = new double[count];
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < count; k++) {
                values[k] = planes[c][idx[k]];
            }
            Arrays.sort(values);
            med[c] = quantile(values, 0.5);
            // Half-sided spread, on the side away from the nearer clipping bound: light backgrounds
            // clip positive noise at 1, which would hide it from a symmetric estimate (MAD).
            double spread = med[c] >= 0.5 ? med[c] - quantile(values, 0.25) : quantile(values, 0.75) - med[c];
            sigma[c] = spread / 0.6745;
        }
        return new BackgroundEstimate(med[0], med[1], med[2], sigma[0], sigma[1], sigma[2]);
    }

    /**
     * Re-estimates the noise on every background pixel at least 3 pixels from any foreground pixel (many
     * more than the ring, so the texture test's noise correction is accurate): per channel, the mean
     * squared deviation of the values below the median, which is sigma^2 for symmetric noise and is not
     * hidden by clipping at 1 on light backgrounds.
     */
    private static BackgroundEstimate withNoiseFromBackground(RgbImage img, BackgroundEstimate bg, boolean[] fg) {
        int w = img.width;
        int h = img.height;
        boolean[] near = new boolean[w * h];
        int reach = 2;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (!fg[y * w + x]) {
                    continue;
                }
                for (int yy = Math.max(0, y - reach); yy <= Math.min(h - 1, y + reach); yy++) {
                    for (int xx = Math.max(0, x - reach); xx <= Math.min(w - 1, x + reach); xx++) {
                        near[yy * w + xx] = true;
                    }
                }
            }
        }
        int count = 0;
        int[] idx = new int[w * h];
        for (int i = 0; i < idx.length; i++) {
            if (!near[i]) {
                idx[count++] = i;
            }
        }
        if (count < 64) {
            return bg;
        }
        float[][] planes = {img.r, img.g, img.b};
        double[] sigma = new double[3];
        double[] values = new double[count];
        for (int c = 0; c < 3; c++) {
            for (int k = 0; k < count; k++) {
                values[k] = planes[c][idx[k]];
            }
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            double med = quantile(sorted, 0.5);
            boolean upper = med < 0.5; // dark background: use the side away from clipping at 0
            double sum = 0;
            int n = 0;
            for (double v : values) {
                if (upper ? v > med : v < med) {
                    sum += (v - med) * (v - med);
                    n++;
                }
            }
            sigma[c] = n == 0 ? 0 : Math.sqrt(sum / n);
        }
        return new BackgroundEstimate(bg.r(), bg.g(), bg.b(), sigma[0], sigma[1], sigma[2]);
    }

    /** Linear-interpolated quantile of sorted values. */
    private static double quantile(double[] sorted, double q) {
        double pos = q * (sorted.length - 1);
        int i = (int) Math.floor(pos);
        int j = Math.min(sorted.length - 1, i + 1);
        return sorted[i] + (pos - i) * (sorted[j] - sorted[i]);
    }

    /** 8-connected components of a mask, each as pixel indices. */
    static List<int[]> components(boolean[] mask, int w, int h) {
        int n = w * h;
        boolean[] seen = new boolean[n];
        int[] queue = new int[n];
        List<int[]> out = new ArrayList<>();
        for (int s = 0; s < n; s++) {
            if (!mask[s] || seen[s]) {
                continue;
            }
            int head = 0;
            int tail = 0;
            queue[tail++] = s;
            seen[s] = true;
            while (head < tail) {
                int p = queue[head++];
                int px = p % w;
                int py = p / w;
                for (int dy = -1; dy <= 1; dy++) {
                    int y = py + dy;
                    if (y < 0 || y >= h) {
                        continue;
                    }
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = px + dx;
                        if (x < 0 || x >= w) {
                            continue;
                        }
                        int q = y * w + x;
                        if (mask[q] && !seen[q]) {
                            seen[q] = true;
                            queue[tail++] = q;
                        }
                    }
                }
            }
            out.add(Arrays.copyOf(queue, tail));
        }
        return out;
    }

    /**
     * Splits a component by hue when a second colour holds a real share of it: each pixel's chromatic
     * vector is averaged over its 3x3 neighbours in the component (to tame noise), named, and votes; with
     * two or more significant colours every pixel goes to the nearest of them, each colour's pixels are
     * re-labelled into connected fragments, and fragments below the minimum area join the neighbour they
     * touch most. The split stands only if exactly one fragment per colour remains.
     */
    private static List<int[]> splitByHue(RgbImage img, int[] comp, int[] local, int minArea) {
        int w = img.width;
        int h = img.height;
        int nColours = Colour.values().length;
        double[] hue = new double[comp.length];
        int[] votes = new int[nColours];
        for (int k = 0; k < comp.length; k++) {
            int p = comp[k];
            int px = p % w;
            int py = p / w;
            double sa = 0;
            double sb = 0;
            int c = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int x = px + dx;
                    int y = py + dy;
                    if (x < 0 || y < 0 || x >= w || y >= h || local[y * w + x] < 0) {
                        continue;
                    }
                    int q = y * w + x;
                    sa += ColourNames.a(img.r[q], img.g[q], img.b[q]);
                    sb += ColourNames.b(img.r[q], img.g[q], img.b[q]);
                    c++;
                }
            }
            sa /= c;
            sb /= c;
            hue[k] = ColourNames.angle(sa, sb);
            if (Math.hypot(sa, sb) >= MIN_VOTING_CHROMA) {
                votes[ColourNames.nearest(hue[k])]++;
            }
        }
        int need = Math.max(minArea, (int) Math.ceil(SPLIT_SHARE * comp.length));
        List<Integer> significant = new ArrayList<>();
        for (int c = 0; c < nColours; c++) {
            if (votes[c] >= need) {
                significant.add(c);
            }
        }
        if (significant.size() <= 1) {
            return List.of(comp);
        }
        Colour[] all = Colour.values();
        int[] cls = new int[comp.length];
        for (int k = 0; k < comp.length; k++) {
            double best = Double.MAX_VALUE;
            for (int c : significant) {
                double d = ColourNames.hueDistance(hue[k], ColourNames.referenceHue(all[c]));
                if (d < best) {
                    best = d;
                    cls[k] = c;
                }
            }
        }
        // Connected fragments of equal class.
        int[] frag = new int[comp.length];
        Arrays.fill(frag, -1);
        List<List<Integer>> fragments = new ArrayList<>();
        int[] queue = new int[comp.length];
        for (int s = 0; s < comp.length; s++) {
            if (frag[s] >= 0) {
                continue;
            }
            int id = fragments.size();
            List<Integer> members = new ArrayList<>();
            int head = 0;
            int tail = 0;
            queue[tail++] = s;
            frag[s] = id;
            while (head < tail) {
                int k = queue[head++];
                members.add(k);
                int p = comp[k];
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = p % w + dx;
                        int y = p / w + dy;
                        if (x < 0 || y < 0 || x >= w || y >= h) {
                            continue;
                        }
                        int q = local[y * w + x];
                        if (q >= 0 && frag[q] < 0 && cls[q] == cls[k]) {
                            frag[q] = id;
                            queue[tail++] = q;
                        }
                    }
                }
            }
            fragments.add(members);
        }
        // Merge small fragments into the neighbour they touch most, smallest first.
        int[] size = new int[fragments.size()];
        for (int f = 0; f < size.length; f++) {
            size[f] = fragments.get(f).size();
        }
        boolean changed = true;
        while (changed) {
            changed = false;
            int smallest = -1;
            for (int f = 0; f < size.length; f++) {
                if (size[f] > 0 && size[f] < minArea && (smallest < 0 || size[f] < size[smallest])) {
                    smallest = f;
                }
            }
            if (smallest < 0) {
                break;
            }
            int[] contacts = new int[size.length];
            for (int k = 0; k < comp.length; k++) {
                if (frag[k] != smallest) {
                    continue;
                }
                int p = comp[k];
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        int x = p % w + dx;
                        int y = p / w + dy;
                        if (x < 0 || y < 0 || x >= w || y >= h) {
                            continue;
                        }
                        int q = local[y * w + x];
                        if (q >= 0 && frag[q] != smallest) {
                            contacts[frag[q]]++;
                        }
                    }
                }
            }
            int target = -1;
            for (int f = 0; f < contacts.length; f++) {
                if (contacts[f] > 0 && (target < 0 || contacts[f] > contacts[target])) {
                    target = f;
                }
            }
            if (target < 0) {
                size[smallest] = 0; // isolated speck: drop it
                for (int k = 0; k < comp.length; k++) {
                    if (frag[k] == smallest) {
                        frag[k] = -1;
                    }
                }
            } else {
                for (int k = 0; k < comp.length; k++) {
                    if (frag[k] == smallest) {
                        frag[k] = target;
                    }
                }
                size[target] += size[smallest];
                size[smallest] = 0;
            }
            changed = true;
        }
        // A real split leaves one fragment per colour (touching objects); a texture whose shade drifted
        // to a neighbouring hue leaves many interleaved fragments (stripes, dots): keep it whole.
        int kept = 0;
        for (int f = 0; f < size.length; f++) {
            kept += size[f] >= minArea ? 1 : 0;
        }
        if (kept != significant.size()) {
            return List.of(comp);
        }
        List<int[]> out = new ArrayList<>();
        for (int f = 0; f < size.length; f++) {
            if (size[f] < minArea) {
                continue;
            }
            int[] pixels = new int[size[f]];
            int c = 0;
            for (int k = 0; k < comp.length; k++) {
                if (frag[k] == f) {
                    pixels[c++] = comp[k];
                }
            }
            out.add(pixels);
        }
        return out;
    }
}
