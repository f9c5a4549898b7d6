package io.github.t2i4j.core.metrics;

import java.util.Random;

/** Test helpers: Gaussian samples and fixed rotations. */
final class Gaussians {
    private Gaussians() {}

    /** {@code n} samples of N(mean, R diag(var) R^T) (R = identity when null). */
    static double[][] sample(Random rng, int n, double[] mean, double[] var, double[][] rotation) {
        int d = mean.length;
        double[][] out = new double[n][d];
        double[] z = new double[d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                z[j] = rng.nextGaussian() * Math.sqrt(var[j]);
            }
            for (int j = 0; j < d; j++) {
                double v = 0;
                if (rotation == null) {
                    v = z[j];
                } else {
                    for (int k = 0; k < d; k++) {
                        v += rotation[j][k] * z[k];
                    }
                }
                out[i][j] = mean[j] + v;
            }
        }
        return out;
    }

    /** A fixed orthogonal matrix: Gram-Schmidt on a seeded random matrix. */
    static double[][] rotation(int d, long seed) {
        Random rng = new Random(seed);
        double[][] q = new double[d][d];
        for (int c = 0; c < d; c++) {
            double[] v = new double[d];
            for (int r = 0; r < d; r++) {
                v[r] = rng.nextGaussian();
            }
            for (int p = 0; p < c; p++) {
                double dot = 0;
                for (int r = 0; r < d; r++) {
                    dot += v[r] * q[r][p];
                }
                for (int r = 0; r < d; r++) {
                    v[r] -= dot * q[r][p];
                }
            }
            double norm = 0;
            for (double x : v) {
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            for (int r = 0; r < d; r++) {
                q[r][c] = v[r] / norm;
            }
        }
        return q;
    }

    /** R diag(var) R^T. */
    static double[][] rotated(double[][] r, double[] var) {
        int d = var.length;
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                double v = 0;
                for (int k = 0; k < d; k++) {
                    v += r[i][k] * var[k] * r[j][k];
                }
                s[i][j] = v;
            }
        }
        return s;
    }

    static double[][] diag(double[] var) {
        int d = var.length;
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            s[i][i] = var[i];
        }
        return s;
    }

    /** |m1 - m2|^2 + sum (sqrt(a) - sqrt(b))^2: FID of Gaussians with commuting covariances. */
    static double closedForm(double[] m1, double[] a, double[] m2, double[] b) {
        double f = 0;
        for (int i = 0; i < m1.length; i++) {
            f += (m1[i] - m2[i]) * (m1[i] - m2[i]);
            double s = Math.sqrt(a[i]) - Math.sqrt(b[i]);
            f += s * s;
        }
        return f;
    }
}
