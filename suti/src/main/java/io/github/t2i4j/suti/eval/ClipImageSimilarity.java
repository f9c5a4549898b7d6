package io.github.t2i4j.suti.eval;

import io.github.t2i4j.core.world.clip.WorldClip;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * CLIP-I on the world: the cosine similarity of the world CLIP's image features ({@link WorldClip},
 * shipped in {@code models/world-clip}) between generated images and a subject's demonstration images.
 * As in DreamBench, a generated image's CLIP-I is its mean cosine to every real (demonstration) image
 * of the subject.
 */
public final class ClipImageSimilarity {
    /** Images per feature batch. */
    static final int BATCH = 64;

    private final WorldClip clip;

    /** Uses (does not own) a loaded world CLIP. */
    public ClipImageSimilarity(WorldClip clip) {
        this.clip = clip;
    }

    /** Unit-normalised image features, one row per image. */
    public float[][] features(List<BufferedImage> images) {
        List<float[]> out = new ArrayList<>(images.size());
        for (int i = 0; i < images.size(); i += BATCH) {
            for (float[] f : clip.imageFeatures(images.subList(i, Math.min(images.size(), i + BATCH)))) {
                out.add(normalised(f));
            }
        }
        return out.toArray(new float[0][]);
    }

    /** Cosine of every image of {@code a} (rows) with every image of {@code b} (columns). */
    public double[][] cosines(List<BufferedImage> a, List<BufferedImage> b) {
        return cosines(features(a), features(b));
    }

    /** Cosines between rows of already normalised features. */
    public static double[][] cosines(float[][] a, float[][] b) {
        double[][] out = new double[a.length][b.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                double s = 0;
                for (int k = 0; k < a[i].length; k++) {
                    s += a[i][k] * b[j][k];
                }
                out[i][j] = s;
            }
        }
        return out;
    }

    /** CLIP-I of each generated image: its mean cosine to the references. */
    public double[] scores(List<BufferedImage> generated, List<BufferedImage> references) {
        double[][] c = cosines(generated, references);
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            double s = 0;
            for (double v : c[i]) {
                s += v;
            }
            out[i] = s / c[i].length;
        }
        return out;
    }

    /** Mean CLIP-I over generated images. */
    public double mean(List<BufferedImage> generated, List<BufferedImage> references) {
        double s = 0;
        double[] v = scores(generated, references);
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    private static float[] normalised(float[] f) {
        double n = 0;
        for (float x : f) {
            n += x * x;
        }
        float inv = (float) (1 / Math.max(1e-12, Math.sqrt(n)));
        float[] out = new float[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i] * inv;
        }
        return out;
    }
}
