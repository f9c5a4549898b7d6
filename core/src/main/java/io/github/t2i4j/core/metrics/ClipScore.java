package io.github.t2i4j.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;

/**
 * CLIP score: the cosine similarity of each image's embedding with its caption's embedding (both
 * L2-normalised, as CLIP compares them), per pair and averaged.
 *
 * <p>Conventions differ between papers, so all are offered and named:
 *
 * <ul>
 *   <li>{@link #mean()}: the plain mean cosine, in [-1, 1]. This is the number t2i4j reports as
 *       {@code "clip_score"} in {@code metrics.json}.
 *   <li>{@link #percent()}: {@code 100 * mean(max(cos, 0))}, what most text-to-image papers and
 *       torchmetrics' {@code CLIPScore} report ("CLIP score 31.2").
 *   <li>{@link #hessel()}: {@code 2.5 * mean(max(cos, 0))}, CLIP-S of Hessel et al. (2021),
 *       whose {@code w = 2.5} stretches the usual range towards [0, 1].
 * </ul>
 *
 * <p>A zero embedding is normalised with a floor of {@code 1e-12} on its norm (as PyTorch's
 * {@code F.normalize}), so it scores 0 instead of NaN.
 */
public final class ClipScore {

    /** Hessel et al.'s rescaling weight for CLIP-S. */
    public static final double HESSEL_WEIGHT = 2.5;

    private static final double EPS = 1e-12;

    private final double[] cosines;

    private ClipScore(double[] cosines) {
        this.cosines = cosines;
    }

    /**
     * Scores {@code [N, D]} image embeddings against the {@code [N, D]} text embeddings of their
     * captions (row i with row i). The arithmetic runs on the arrays' device in float32; only the N
     * cosines come back to the host.
     */
    public static ClipScore of(NDArray imageEmbeds, NDArray textEmbeds) {
        long[] si = imageEmbeds.getShape().getShape();
        long[] st = textEmbeds.getShape().getShape();
        if (si.length != 2 || !Arrays.equals(si, st)) {
            throw new IllegalArgumentException(
                    "image and text embeddings must both be [N, D] with the same shape, got "
                            + imageEmbeds.getShape() + " and " + textEmbeds.getShape());
        }
        if (si[0] == 0) {
            throw new IllegalArgumentException("no embeddings to score");
        }
        float[] cos;
        try (NDScope scope = new NDScope()) {
            NDArray img = normalize(imageEmbeds.toType(DataType.FLOAT32, false));
            NDArray txt = normalize(textEmbeds.toType(DataType.FLOAT32, false).toDevice(imageEmbeds.getDevice(), false));
            cos = img.mul(txt).sum(new int[] {1}).toFloatArray();
        }
        double[] out = new double[cos.length];
        for (int i = 0; i < cos.length; i++) {
            out[i] = cos[i];
        }
        return new ClipScore(out);
    }

    /** As {@link #of(NDArray, NDArray)}, for embeddings held in Java arrays (double arithmetic). */
    public static ClipScore of(float[][] imageEmbeds, float[][] textEmbeds) {
        if (imageEmbeds.length != textEmbeds.length) {
            throw new IllegalArgumentException(
                    imageEmbeds.length + " image embeddings but " + textEmbeds.length + " text embeddings");
        }
        if (imageEmbeds.length == 0) {
            throw new IllegalArgumentException("no embeddings to score");
        }
        double[] out = new double[imageEmbeds.length];
        int d = imageEmbeds[0].length;
        for (int i = 0; i < out.length; i++) {
            float[] a = imageEmbeds[i];
            float[] b = textEmbeds[i];
            if (a.length != d || b.length != d) {
                throw new IllegalArgumentException(
                        "pair " + i + " has embedding sizes " + a.length + " and " + b.length + ", expected " + d);
            }
            double dot = 0;
            double na = 0;
            double nb = 0;
            for (int j = 0; j < d; j++) {
                dot += (double) a[j] * b[j];
                na += (double) a[j] * a[j];
                nb += (double) b[j] * b[j];
            }
            out[i] = dot / (Math.max(Math.sqrt(na), EPS) * Math.max(Math.sqrt(nb), EPS));
        }
        return new ClipScore(out);
    }

    private static NDArray normalize(NDArray x) {
        return x.div(x.square().sum(new int[] {1}, true).sqrt().maximum(EPS));
    }

    /** Number of image-caption pairs. */
    public int size() {
        return cosines.length;
    }

    /** The cosine similarity of pair {@code i}. */
    public double cosine(int i) {
        return cosines[i];
    }

    /** The cosine similarity of every pair, in input order. */
    public double[] cosines() {
        return cosines.clone();
    }

    /** The mean cosine similarity, in [-1, 1]: t2i4j's {@code "clip_score"}. */
    public double mean() {
        double s = 0;
        for (double c : cosines) {
            s += c;
        }
        return s / cosines.length;
    }

    /** {@code w * mean(max(cos, 0))}: the clipped, rescaled form papers report. */
    public double clipped(double w) {
        double s = 0;
        for (double c : cosines) {
            s += Math.max(c, 0);
        }
        return w * s / cosines.length;
    }

    /** {@code 100 * mean(max(cos, 0))}, as text-to-image papers and torchmetrics report it. */
    public double percent() {
        return clipped(100);
    }

    /** CLIP-S of Hessel et al. (2021): {@code 2.5 * mean(max(cos, 0))}. */
    public double hessel() {
        return clipped(HESSEL_WEIGHT);
    }

    @Override
    public String toString() {
        return "ClipScore[n=" + cosines.length + ", mean=" + mean() + "]";
    }
}
