package io.github.t2i4j.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FeatureStatisticsTest {

    @TempDir Path tmp;

    /** Two-pass mean and unbiased covariance, as numpy.cov(x, rowvar=False). */
    private static double[][] naiveCov(double[][] x, double[] mean) {
        int n = x.length;
        int d = x[0].length;
        for (double[] r : x) {
            for (int j = 0; j < d; j++) {
                mean[j] += r[j] / n;
            }
        }
        double[][] c = new double[d][d];
        for (double[] r : x) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    c[i][j] += (r[i] - mean[i]) * (r[j] - mean[j]) / (n - 1);
                }
            }
        }
        return c;
    }

    @Test
    void matchesTwoPassUnbiasedCovariance() {
        double[][] x = {{1, 2, 0}, {3, 5, -1}, {0, 1, 4}, {2, 2, 2}};
        double[] mean = new double[3];
        double[][] cov = naiveCov(x, mean);
        FeatureStatistics s = FeatureStatistics.of(x);
        assertEquals(4, s.count());
        assertEquals(3, s.dimension());
        assertArrayEquals(mean, s.mean(), 1e-14);
        // numpy: np.cov([[1,2,0],[3,5,-1],[0,1,4],[2,2,2]], rowvar=False)[0] = [1.6667, 2.0, -2.1667]
        assertArrayEquals(new double[] {5.0 / 3, 2.0, -13.0 / 6}, s.covariance()[0], 1e-13);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(cov[i], s.covariance()[i], 1e-13);
        }
    }

    @Test
    void batchesGiveTheSameAsOneSetEvenFarFromTheOrigin() {
        Random rng = new Random(3);
        double[] m = {1e4, -2e4, 5e3, 1e4};
        double[] v = {1, 0.5, 2, 0.01};
        double[][] x = Gaussians.sample(rng, 1000, m, v, Gaussians.rotation(4, 8));
        double[] mean = new double[4];
        double[][] cov = naiveCov(x, mean);
        FeatureStatistics.Accumulator acc = FeatureStatistics.accumulator();
        for (int i = 0; i < 1000; i += 64) {
            acc.add(Arrays.copyOfRange(x, i, Math.min(1000, i + 64)));
        }
        acc.add(new double[0][]);
        assertEquals(1000, acc.count());
        FeatureStatistics s = acc.build();
        assertArrayEquals(mean, s.mean(), 1e-9);
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(cov[i], s.covariance()[i], 1e-9);
        }
        assertThrows(IllegalArgumentException.class, () -> acc.add(new double[][] {{1, 2}}));
        assertThrows(IllegalStateException.class, () -> FeatureStatistics.accumulator().add(new float[][] {{1}}).build());
    }

    @Test
    void ndArrayInputMatchesJavaArrays() {
        float[][] x = {{1, 2}, {3, 5}, {0, 1}};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray a = m.create(new float[] {1, 2, 3, 5, 0, 1}, new Shape(3, 2));
            FeatureStatistics fromNd = FeatureStatistics.of(a);
            FeatureStatistics fromJava = FeatureStatistics.of(x);
            assertArrayEquals(fromJava.mean(), fromNd.mean(), 0);
            assertArrayEquals(fromJava.covariance()[1], fromNd.covariance()[1], 0);
            FeatureStatistics fromF16 = FeatureStatistics.of(a.toType(ai.djl.ndarray.types.DataType.FLOAT16, false));
            assertArrayEquals(fromJava.mean(), fromF16.mean(), 1e-3);
        }
    }

    @Test
    void savesAndLoadsExactly() {
        Random rng = new Random(4);
        double[][] x = Gaussians.sample(rng, 50, new double[] {1, 2, 3}, new double[] {1, 2, 3}, Gaussians.rotation(3, 1));
        FeatureStatistics s = FeatureStatistics.of(x).withMetadata(FeatureStatistics.FEATURE_EXTRACTOR, "world-clip v1");
        Path file = tmp.resolve("ref.safetensors");
        s.save(file);
        FeatureStatistics back = FeatureStatistics.load(file);
        assertEquals(50, back.count());
        assertEquals("world-clip v1", back.metadata().get(FeatureStatistics.FEATURE_EXTRACTOR));
        assertEquals(1, back.metadata().size());
        assertArrayEquals(s.mean(), back.mean(), 0);
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(s.covariance()[i], back.covariance()[i], 0);
        }
        assertEquals(0, FrechetDistance.compute(s, back), 1e-9);
        // a plain safetensors file with the pytorch-fid names
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertEquals(Dtype.F64, f.info("mu").dtype());
            assertArrayEquals(new long[] {3, 3}, f.info("sigma").shape().getShape());
            assertEquals("50", f.metadata().get("count"));
        }
    }

    @Test
    void loadRejectsBadFiles() {
        Path notStats = tmp.resolve("other.safetensors");
        new SafetensorsWriter().add("mu", Dtype.F64, new long[] {1}, f64(1.0)).write(notStats);
        CheckpointException e = assertThrows(CheckpointException.class, () -> FeatureStatistics.load(notStats));
        assertTrue(e.getMessage().contains("not a feature statistics file"), e.getMessage());

        Path noSigma = tmp.resolve("nosigma.safetensors");
        stats().add("mu", Dtype.F64, new long[] {2}, f64(1, 2)).write(noSigma);
        e = assertThrows(CheckpointException.class, () -> FeatureStatistics.load(noSigma));
        assertTrue(e.getMessage().contains("sigma"), e.getMessage());

        Path badShape = tmp.resolve("badshape.safetensors");
        stats().add("mu", Dtype.F64, new long[] {2}, f64(1, 2))
                .add("sigma", Dtype.F64, new long[] {1, 4}, f64(1, 0, 0, 1))
                .write(badShape);
        e = assertThrows(CheckpointException.class, () -> FeatureStatistics.load(badShape));
        assertTrue(e.getMessage().contains("sigma has shape"), e.getMessage());

        Path badCount = tmp.resolve("badcount.safetensors");
        new SafetensorsWriter().metadata("format", FeatureStatistics.FORMAT).metadata("count", "1")
                .add("mu", Dtype.F64, new long[] {1}, f64(1))
                .add("sigma", Dtype.F64, new long[] {1, 1}, f64(1))
                .write(badCount);
        e = assertThrows(CheckpointException.class, () -> FeatureStatistics.load(badCount));
        assertTrue(e.getMessage().contains("at least 2 samples"), e.getMessage());
    }

    @Test
    void givenStatisticsAreValidated() {
        assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.of(new double[] {1, 2}, new double[][] {{1, 0}}, 10));
        assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.of(new double[] {1, 2}, new double[][] {{1, 0}, {0, 1}}, 1));
        assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.of(new double[] {1, Double.NaN}, new double[][] {{1, 0}, {0, 1}}, 5));
        assertThrows(IllegalArgumentException.class,
                () -> FeatureStatistics.of(new double[][] {{1, 2}}));
    }

    private static SafetensorsWriter stats() {
        return new SafetensorsWriter().metadata("format", FeatureStatistics.FORMAT).metadata("count", "10");
    }

    private static ByteBuffer f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(v);
        return b;
    }
}
