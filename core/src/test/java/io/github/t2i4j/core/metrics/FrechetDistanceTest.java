package io.github.t2i4j.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrechetDistanceTest {

    private static final double[] M1 = {0.5, -1.0, 2.0, 0.0, 3.0};
    private static final double[] M2 = {1.5, -0.5, 1.0, 0.25, 3.0};
    private static final double[] A = {1.0, 4.0, 0.25, 2.0, 9.0};
    private static final double[] B = {2.0, 1.0, 0.5, 2.0, 0.01};

    @Test
    void identicalSetsGiveZero() {
        double[][] x = Gaussians.sample(new Random(1), 300, M1, A, Gaussians.rotation(5, 7));
        double fid = FrechetDistance.compute(x, x);
        FeatureStatistics s = FeatureStatistics.of(x);
        double scale = trace(s.covariance());
        assertTrue(fid >= 0 && fid < 1e-9 * scale, "FID(x, x) = " + fid + " (trace " + scale + ")");
    }

    @Test
    void diagonalGaussiansMatchClosedForm() {
        FeatureStatistics p = FeatureStatistics.of(M1, Gaussians.diag(A), 1000);
        FeatureStatistics q = FeatureStatistics.of(M2, Gaussians.diag(B), 1000);
        double expected = Gaussians.closedForm(M1, A, M2, B);
        assertEquals(expected, FrechetDistance.compute(p, q), 1e-10 * expected);
    }

    @Test
    void commutingNonDiagonalCovariancesMatchClosedForm() {
        double[][] r = Gaussians.rotation(5, 42);
        FeatureStatistics p = FeatureStatistics.of(M1, Gaussians.rotated(r, A), 1000);
        FeatureStatistics q = FeatureStatistics.of(M2, Gaussians.rotated(r, B), 1000);
        double expected = Gaussians.closedForm(M1, A, M2, B);
        double fid = FrechetDistance.compute(p, q);
        assertEquals(expected, fid, 1e-9 * expected);
        assertEquals(fid, FrechetDistance.compute(q, p), 1e-9 * expected);
    }

    @Test
    void nonCommuting2x2MatchesClosedForm() {
        // for 2x2: Tr (S1 S2)^{1/2} = sqrt(tr(S1 S2) + 2 sqrt(det(S1 S2)))
        double[][] s1 = {{2.0, 0.7}, {0.7, 1.0}};
        double[][] s2 = {{0.5, -0.3}, {-0.3, 3.0}};
        double[][] p = {
            {s1[0][0] * s2[0][0] + s1[0][1] * s2[1][0], s1[0][0] * s2[0][1] + s1[0][1] * s2[1][1]},
            {s1[1][0] * s2[0][0] + s1[1][1] * s2[1][0], s1[1][0] * s2[0][1] + s1[1][1] * s2[1][1]}
        };
        double det = p[0][0] * p[1][1] - p[0][1] * p[1][0];
        double trSqrt = Math.sqrt(p[0][0] + p[1][1] + 2 * Math.sqrt(det));
        double[] m1 = {1, 2};
        double[] m2 = {-1, 0.5};
        double expected = 4 + 2.25 + 3.0 + 3.5 - 2 * trSqrt;
        double fid = FrechetDistance.compute(
                FeatureStatistics.of(m1, s1, 10), FeatureStatistics.of(m2, s2, 10));
        assertEquals(expected, fid, 1e-12 * expected);
    }

    @Test
    void samplesConvergeToClosedForm() {
        double[][] r = Gaussians.rotation(5, 3);
        double expected = Gaussians.closedForm(M1, A, M2, B);
        double previous = Double.POSITIVE_INFINITY;
        Random rng = new Random(2024);
        for (int n : new int[] {200, 2_000, 50_000}) {
            double[][] x = Gaussians.sample(rng, n, M1, A, r);
            double[][] y = Gaussians.sample(rng, n, M2, B, r);
            double err = Math.abs(FrechetDistance.compute(x, y) - expected) / expected;
            // the estimate's error falls roughly as 1/sqrt(n): allow 3x that around 20/sqrt(n)
            assertTrue(err < 20 / Math.sqrt(n), "n=" + n + ": relative error " + err);
            if (n == 50_000) {
                assertTrue(err < 0.02, "relative error at n=50000: " + err);
                assertTrue(err < previous, "error did not shrink: " + err + " after " + previous);
            }
            previous = err;
        }
    }

    @Test
    void symmetric() {
        Random rng = new Random(5);
        double[][] x = Gaussians.sample(rng, 500, M1, A, Gaussians.rotation(5, 1));
        double[][] y = Gaussians.sample(rng, 400, M2, B, Gaussians.rotation(5, 2));
        double ab = FrechetDistance.compute(x, y);
        double ba = FrechetDistance.compute(y, x);
        assertTrue(ab > 1);
        assertEquals(ab, ba, 1e-10 * ab);
    }

    @Test
    void shiftAddsSquaredNorm() {
        Random rng = new Random(9);
        double[][] x = Gaussians.sample(rng, 400, M1, A, Gaussians.rotation(5, 4));
        double[] shift = {3, -1, 0.5, 2, -2};
        double[][] y = new double[x.length][5];
        double norm2 = 0;
        for (double s : shift) {
            norm2 += s * s;
        }
        for (int i = 0; i < x.length; i++) {
            for (int j = 0; j < 5; j++) {
                y[i][j] = x[i][j] + shift[j];
            }
        }
        assertEquals(norm2, FrechetDistance.compute(x, y), 1e-8 * norm2);
    }

    @Test
    void singularCovarianceIsFine() {
        // fewer samples than dimensions: rank-deficient covariances
        Random rng = new Random(11);
        double[] m = new double[32];
        double[] v = new double[32];
        java.util.Arrays.fill(v, 1.0);
        double[][] x = Gaussians.sample(rng, 10, m, v, null);
        double[][] y = Gaussians.sample(rng, 12, m, v, null);
        double fid = FrechetDistance.compute(x, y);
        assertTrue(Double.isFinite(fid) && fid > 0, "fid " + fid);
        assertEquals(0, FrechetDistance.compute(x, x), 1e-9 * 32);
    }

    @Test
    void djlArraysGiveTheSameAsJavaArrays() {
        Random rng = new Random(13);
        double[][] x = Gaussians.sample(rng, 256, M1, A, Gaussians.rotation(5, 5));
        double[][] y = Gaussians.sample(rng, 256, M2, B, Gaussians.rotation(5, 6));
        float[][] xf = toFloat(x);
        float[][] yf = toFloat(y);
        try (NDManager m = NDManager.newBaseManager()) {
            // DJL (PyTorch) before, during and after ND4J in the same JVM
            NDArray a = m.create(flat(xf), new Shape(256, 5));
            NDArray b = m.create(flat(yf), new Shape(256, 5));
            float before = a.sub(b).square().sum().getFloat();
            double fromNd = FrechetDistance.compute(a, b);
            double fromJava = FrechetDistance.compute(xf, yf);
            assertEquals(fromJava, fromNd, 1e-12 * fromJava);
            assertEquals(before, a.sub(b).square().sum().getFloat(), 0f);
            double fromF64 = FrechetDistance.compute(a.toType(ai.djl.ndarray.types.DataType.FLOAT64, false), b);
            assertEquals(fromJava, fromF64, 1e-12 * fromJava);
            assertEquals(fromJava, FrechetDistance.compute(a, FeatureStatistics.of(yf)), 1e-12 * fromJava);
        }
    }

    @Test
    void errors() {
        double[][] two = {{1, 2, 3}, {2, 3, 5}};
        double[][] one = {{1, 2, 3}};
        double[][] dim2 = {{1, 2}, {3, 4}};
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> FrechetDistance.compute(two, dim2));
        assertTrue(e.getMessage().contains("dimensions differ: 3 vs 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.compute(two, one));
        assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.compute(new double[0][], two));
        assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.compute(two, new double[][] {{1, 2, 3}, {1, 2}}));
        assertTrue(e.getMessage().contains("ragged"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FrechetDistance.compute(two, new double[][] {{1, 2, 3}, {1, 2, Double.NaN}}));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        try (NDManager m = NDManager.newBaseManager()) {
            e = assertThrows(IllegalArgumentException.class,
                    () -> FrechetDistance.compute(m.ones(new Shape(4)), m.ones(new Shape(4, 1))));
            assertTrue(e.getMessage().contains("[N, D]"), e.getMessage());
        }
        FeatureStatistics a = FeatureStatistics.of(two).withMetadata(FeatureStatistics.FEATURE_EXTRACTOR, "clip-a");
        FeatureStatistics b = FeatureStatistics.of(two).withMetadata(FeatureStatistics.FEATURE_EXTRACTOR, "clip-b");
        e = assertThrows(IllegalArgumentException.class, () -> FrechetDistance.compute(a, b));
        assertTrue(e.getMessage().contains("different feature extractors"), e.getMessage());
    }

    static double trace(double[][] s) {
        double t = 0;
        for (int i = 0; i < s.length; i++) {
            t += s[i][i];
        }
        return t;
    }

    static float[][] toFloat(double[][] x) {
        float[][] out = new float[x.length][];
        for (int i = 0; i < x.length; i++) {
            out[i] = new float[x[i].length];
            for (int j = 0; j < x[i].length; j++) {
                out[i][j] = (float) x[i][j];
            }
        }
        return out;
    }

    static float[] flat(float[][] x) {
        float[] out = new float[x.length * x[0].length];
        for (int i = 0; i < x.length; i++) {
            System.arraycopy(x[i], 0, out, i * x[0].length, x[0].length);
        }
        return out;
    }
}
