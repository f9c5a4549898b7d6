package io.github.t2i4j.star.model;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * STAR's normalised 2D rotary position embedding ({@code compute_axial_cis} with {@code normalize}
 * in STAR's {@code embed_rope.py}).
 *
 * <p>Token t of a pn x pn scale (row-major) sits at x = t mod pn, y = t div pn; both are
 * normalised to x' = x/(pn-1)*N, y' = y/(pn-1)*N (0 when pn = 1), so every scale spans the same
 * square [0, N]^2. With frequencies w_j = theta^(-4j/d), j &lt; d/4 (d the head dimension), the
 * d/2 angles of a token are [x' w_0 .. x' w_{d/4-1}, y' w_0 .. y' w_{d/4-1}]; angle i rotates the
 * consecutive pair (2i, 2i+1) of q and k (STAR's complex view of the last axis).
 */
public final class NormalizedRope2d {
    /** STAR's released settings (its code defaults are theta 100, N 32). */
    public static final double DEFAULT_THETA = 10000;

    public static final double DEFAULT_NORMALIZE = 64;

    private final int headDim;
    private final double theta;
    private final double normalize;

    public NormalizedRope2d(int headDim) {
        this(headDim, DEFAULT_THETA, DEFAULT_NORMALIZE);
    }

    public NormalizedRope2d(int headDim, double theta, double normalize) {
        if (headDim <= 0 || headDim % 4 != 0) {
            throw new IllegalArgumentException("2D RoPE needs a head dim divisible by 4, got " + headDim);
        }
        this.headDim = headDim;
        this.theta = theta;
        this.normalize = normalize;
    }

    public int headDim() {
        return headDim;
    }

    /** Frequencies w_j = theta^(-4j/d), j &lt; d/4. */
    public double[] frequencies() {
        double[] w = new double[headDim / 4];
        for (int j = 0; j < w.length; j++) {
            w[j] = Math.pow(theta, -4.0 * j / headDim);
        }
        return w;
    }

    /** Normalised positions {x', y'} of each token of a pn x pn scale, row-major: [pn*pn][2]. */
    public double[][] positions(int pn) {
        double[][] p = new double[pn * pn][2];
        for (int t = 0; t < pn * pn; t++) {
            double x = t % pn;
            double y = t / pn;
            p[t][0] = pn == 1 ? 0 : x / (pn - 1) * normalize;
            p[t][1] = pn == 1 ? 0 : y / (pn - 1) * normalize;
        }
        return p;
    }

    /** Rotation angles of each token of a pn x pn scale: [pn*pn][d/2]. */
    public double[][] angles(int pn) {
        double[] w = frequencies();
        double[][] pos = positions(pn);
        double[][] a = new double[pos.length][headDim / 2];
        for (int t = 0; t < pos.length; t++) {
            for (int j = 0; j < w.length; j++) {
                a[t][j] = pos[t][0] * w[j];
                a[t][w.length + j] = pos[t][1] * w[j];
            }
        }
        return a;
    }

    /**
     * cos/sin tables for a scale schedule, concatenated over the scales in the order of the
     * flattened multi-scale token sequence, created on {@code manager}.
     */
    public Tables tables(NDManager manager, int... patchNums) {
        int total = 0;
        for (int pn : patchNums) {
            total += pn * pn;
        }
        int half = headDim / 2;
        float[] cos = new float[total * headDim];
        float[] sin = new float[total * headDim];
        int row = 0;
        for (int pn : patchNums) {
            for (double[] a : angles(pn)) {
                for (int i = 0; i < half; i++) {
                    float c = (float) Math.cos(a[i]);
                    float s = (float) Math.sin(a[i]);
                    int o = row * headDim + 2 * i;
                    cos[o] = c;
                    cos[o + 1] = c;
                    sin[o] = -s; // out[2i] = x[2i] c - x[2i+1] s
                    sin[o + 1] = s; // out[2i+1] = x[2i+1] c + x[2i] s
                }
                row++;
            }
        }
        // PyTorch-owned copies: autograd saves the tables for q/k's backward, beyond a close()
        return new Tables(
                HostArrays.owned(manager.create(cos, new Shape(total, headDim))),
                HostArrays.owned(manager.create(sin, new Shape(total, headDim))));
    }

    /**
     * Rotation tables [L, d]: {@code cos} holds cos(angle_i) at 2i and 2i+1, {@code signedSin}
     * holds -sin(angle_i) at 2i and +sin(angle_i) at 2i+1, so rotate(x) = x*cos +
     * swapPairs(x)*signedSin (two multiplies instead of a complex view).
     */
    public record Tables(NDArray cos, NDArray signedSin) {
        /** Rows [from, to) of both tables (the tokens of some scales). */
        public Tables slice(long from, long to) {
            return new Tables(cos.get(from + ":" + to), signedSin.get(from + ":" + to));
        }

        public long length() {
            return cos.getShape().get(0);
        }

        /** Rotates consecutive pairs of the last axis of x [..., L, d]. */
        public NDArray apply(NDArray x) {
            return rotate(x, cos, signedSin);
        }
    }

    /** Rotates consecutive pairs of the last axis of x [..., L, d] by the given tables [L, d]. */
    public static NDArray rotate(NDArray x, NDArray cos, NDArray signedSin) {
        Shape s = x.getShape();
        int n = s.dimension();
        long[] pairs = new long[n + 1];
        System.arraycopy(s.getShape(), 0, pairs, 0, n - 1);
        pairs[n - 1] = s.get(n - 1) / 2;
        pairs[n] = 2;
        NDArray swapped = x.reshape(pairs).flip(n).reshape(s);
        NDArray a = x.mul(cos);
        NDArray b = swapped.mul(signedSin);
        swapped.close();
        NDArray out = a.add(b);
        a.close();
        b.close();
        return out;
    }
}
