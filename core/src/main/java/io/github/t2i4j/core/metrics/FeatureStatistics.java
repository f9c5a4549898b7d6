package io.github.t2i4j.core.metrics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.io.TensorInfo;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * The first two moments of a set of feature vectors (mean, unbiased covariance, count): all that
 * the Fréchet distance needs from a set. Computed once for a reference set and {@linkplain
 * #save saved}, it spares every evaluation the reference features.
 *
 * <p>The covariance is the unbiased one ({@code N - 1} in the denominator), as {@code numpy.cov}
 * and pytorch-fid compute it. Everything is held in double precision; inputs are float or double
 * Java arrays, or DJL NDArrays on any device (copied to the host). Large sets can be streamed in
 * batches through an {@link Accumulator}.
 *
 * <p>Saved as a small safetensors file with the pytorch-fid names: {@code mu} (F64 {@code [D]})
 * and {@code sigma} (F64 {@code [D, D]}), the count and a format tag in {@code __metadata__}, plus
 * any metadata the caller attaches (e.g. {@link #FEATURE_EXTRACTOR}, which features these are).
 */
public final class FeatureStatistics {

    /** Metadata key naming the feature extractor; the distance refuses sets whose names differ. */
    public static final String FEATURE_EXTRACTOR = "feature_extractor";

    static final String FORMAT = "t2i4j.feature_statistics";
    private static final String FORMAT_KEY = "format";
    private static final String COUNT_KEY = "count";

    private final double[] mean;
    private final double[] covariance;
    private final long count;
    private final Map<String, String> metadata;

    private FeatureStatistics(double[] mean, double[] covariance, long count, Map<String, String> metadata) {
        this.mean = mean;
        this.covariance = covariance;
        this.count = count;
        this.metadata = Collections.unmodifiableMap(new TreeMap<>(metadata));
    }

    /** Statistics of the rows of {@code features} ({@code N x D}, {@code N >= 2}). */
    public static FeatureStatistics of(float[][] features) {
        return fromOneSet(accumulator().add(features));
    }

    /** Statistics of the rows of {@code features} ({@code N x D}, {@code N >= 2}). */
    public static FeatureStatistics of(double[][] features) {
        return fromOneSet(accumulator().add(features));
    }

    /** Statistics of the rows of a {@code [N, D]} NDArray on any device ({@code N >= 2}). */
    public static FeatureStatistics of(NDArray features) {
        return fromOneSet(accumulator().add(features));
    }

    private static FeatureStatistics fromOneSet(Accumulator acc) {
        if (acc.count() < 2) {
            throw new IllegalArgumentException(
                    "feature statistics need at least 2 samples (unbiased covariance), got " + acc.count());
        }
        return acc.build();
    }

    /**
     * Statistics given directly (e.g. imported from elsewhere): {@code mean} of length D, a
     * symmetric {@code D x D} {@code covariance}, and the number of samples behind them.
     */
    public static FeatureStatistics of(double[] mean, double[][] covariance, long count) {
        int d = mean.length;
        if (covariance.length != d) {
            throw new IllegalArgumentException(
                    "covariance has " + covariance.length + " rows for a mean of dimension " + d);
        }
        double[] flat = new double[d * d];
        for (int i = 0; i < d; i++) {
            if (covariance[i].length != d) {
                throw new IllegalArgumentException(
                        "covariance row " + i + " has " + covariance[i].length + " values, expected " + d);
            }
            System.arraycopy(covariance[i], 0, flat, i * d, d);
        }
        return create(mean.clone(), flat, count, Map.of());
    }

    private static FeatureStatistics create(
            double[] mean, double[] covariance, long count, Map<String, String> metadata) {
        int d = mean.length;
        if (d == 0) {
            throw new IllegalArgumentException("feature dimension must be at least 1");
        }
        if (covariance.length != (long) d * d) {
            throw new IllegalArgumentException(
                    "covariance has " + covariance.length + " values for dimension " + d);
        }
        if (count < 2) {
            throw new IllegalArgumentException(
                    "feature statistics need at least 2 samples (unbiased covariance), got " + count);
        }
        requireFinite(mean, "mean");
        requireFinite(covariance, "covariance");
        return new FeatureStatistics(mean, covariance, count, metadata);
    }

    /** A copy of these statistics with one more metadata entry. */
    public FeatureStatistics withMetadata(String key, String value) {
        if (key == null || value == null || key.equals(FORMAT_KEY) || key.equals(COUNT_KEY)) {
            throw new IllegalArgumentException("invalid metadata entry: " + key + "=" + value);
        }
        Map<String, String> m = new TreeMap<>(metadata);
        m.put(key, value);
        return new FeatureStatistics(mean, covariance, count, m);
    }

    /** Feature dimension D. */
    public int dimension() {
        return mean.length;
    }

    /** Number of feature vectors the statistics were computed from. */
    public long count() {
        return count;
    }

    /** A copy of the mean (length D). */
    public double[] mean() {
        return mean.clone();
    }

    /** A copy of the unbiased covariance ({@code D x D}). */
    public double[][] covariance() {
        int d = mean.length;
        double[][] out = new double[d][];
        for (int i = 0; i < d; i++) {
            out[i] = Arrays.copyOfRange(covariance, i * d, (i + 1) * d);
        }
        return out;
    }

    /** The caller's metadata (saved and loaded with the statistics). */
    public Map<String, String> metadata() {
        return metadata;
    }

    double[] meanArray() {
        return mean;
    }

    double[] covarianceArray() {
        return covariance;
    }

    /** Writes the statistics as a safetensors file (atomically, see {@link SafetensorsWriter}). */
    public void save(Path path) {
        int d = mean.length;
        SafetensorsWriter w = new SafetensorsWriter().metadata(metadata);
        w.metadata(FORMAT_KEY, FORMAT).metadata(COUNT_KEY, Long.toString(count));
        w.add("mu", Dtype.F64, new long[] {d}, littleEndian(mean));
        w.add("sigma", Dtype.F64, new long[] {d, d}, littleEndian(covariance));
        w.write(path);
    }

    /**
     * Reads statistics written by {@link #save} ({@code mu} and {@code sigma} may also be F32);
     * a missing tensor, inconsistent shapes or a bad count are {@link CheckpointException}s.
     */
    public static FeatureStatistics load(Path path) {
        try (SafetensorsFile f = SafetensorsFile.open(path)) {
            Map<String, String> meta = new TreeMap<>(f.metadata());
            if (!FORMAT.equals(meta.remove(FORMAT_KEY))) {
                throw new CheckpointException(path + " is not a feature statistics file (metadata "
                        + FORMAT_KEY + " is not " + FORMAT + ")");
            }
            String countText = meta.remove(COUNT_KEY);
            long count;
            try {
                count = Long.parseLong(countText);
            } catch (NumberFormatException e) {
                throw new CheckpointException(path + ": bad sample count '" + countText + "'", e);
            }
            double[] mu = readVector(f, "mu");
            int d = mu.length;
            TensorInfo sigma = f.info("sigma");
            if (!Arrays.equals(sigma.shape().getShape(), new long[] {d, d})) {
                throw new CheckpointException(path + ": sigma has shape " + sigma.shape()
                        + " but mu has dimension " + d);
            }
            double[] cov = readVector(f, "sigma");
            try {
                return create(mu, cov, count, meta);
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(path + ": " + e.getMessage(), e);
            }
        }
    }

    private static double[] readVector(SafetensorsFile f, String name) {
        TensorInfo info = f.info(name);
        ByteBuffer bytes = f.bytes(name).order(ByteOrder.LITTLE_ENDIAN);
        double[] out;
        if (info.dtype() == Dtype.F64) {
            DoubleBuffer b = bytes.asDoubleBuffer();
            out = new double[b.remaining()];
            b.get(out);
        } else if (info.dtype() == Dtype.F32) {
            FloatBuffer b = bytes.asFloatBuffer();
            out = new double[b.remaining()];
            for (int i = 0; i < out.length; i++) {
                out[i] = b.get(i);
            }
        } else {
            throw new CheckpointException(
                    f.path() + ": tensor '" + name + "' is " + info.dtype() + ", expected F64 or F32");
        }
        if (name.equals("mu") && info.shape().dimension() != 1) {
            throw new CheckpointException(f.path() + ": mu has shape " + info.shape() + ", expected [D]");
        }
        return out;
    }

    private static ByteBuffer littleEndian(double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.asDoubleBuffer().put(values);
        return b;
    }

    private static void requireFinite(double[] values, String what) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(what + " contains NaN or infinity");
            }
        }
    }

    @Override
    public String toString() {
        return "FeatureStatistics[dimension=" + dimension() + ", count=" + count + ", metadata=" + metadata + "]";
    }

    /** A new, empty {@link Accumulator}. */
    public static Accumulator accumulator() {
        return new Accumulator();
    }

    /**
     * Builds statistics from feature batches without keeping the features: sums of the vectors
     * and of their outer products (a Gram matrix per batch, by BLAS) about a shift, the mean of
     * the first batch, which keeps the one-pass covariance free of cancellation for features far
     * from the origin. The dimension is fixed by the first non-empty batch.
     */
    public static final class Accumulator {
        private int d = -1;
        private long count;
        private double[] shift;
        private double[] sum;
        private double[] gram;

        private Accumulator() {}

        /** Adds the rows of an {@code N x D} batch. */
        public Accumulator add(float[][] batch) {
            if (batch.length == 0) {
                return this;
            }
            int dim = batch[0].length;
            double[] rows = new double[Math.multiplyExact(batch.length, dim)];
            for (int i = 0; i < batch.length; i++) {
                float[] r = checkRow(batch[i], dim, i);
                for (int j = 0; j < dim; j++) {
                    rows[i * dim + j] = r[j];
                }
            }
            return addRows(rows, batch.length, dim);
        }

        /** Adds the rows of an {@code N x D} batch. */
        public Accumulator add(double[][] batch) {
            if (batch.length == 0) {
                return this;
            }
            int dim = batch[0].length;
            double[] rows = new double[Math.multiplyExact(batch.length, dim)];
            for (int i = 0; i < batch.length; i++) {
                if (batch[i].length != dim) {
                    throw rowLength(i, batch[i].length, dim);
                }
                System.arraycopy(batch[i], 0, rows, i * dim, dim);
            }
            return addRows(rows, batch.length, dim);
        }

        /** Adds the rows of a {@code [N, D]} NDArray (any device, any floating type). */
        public Accumulator add(NDArray batch) {
            long[] shape = batch.getShape().getShape();
            if (shape.length != 2) {
                throw new IllegalArgumentException(
                        "features must be a [N, D] matrix, got shape " + batch.getShape());
            }
            if (shape[0] == 0) {
                return this;
            }
            double[] rows;
            if (batch.getDataType() == DataType.FLOAT64) {
                rows = batch.toDoubleArray();
            } else if (batch.getDataType() == DataType.FLOAT32) {
                rows = toDouble(batch.toFloatArray());
            } else {
                try (NDArray f = batch.toType(DataType.FLOAT32, true)) {
                    rows = toDouble(f.toFloatArray());
                }
            }
            return addRows(rows, Math.toIntExact(shape[0]), Math.toIntExact(shape[1]));
        }

        private static double[] toDouble(float[] f) {
            double[] out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
            return out;
        }

        private static float[] checkRow(float[] row, int dim, int i) {
            if (row.length != dim) {
                throw rowLength(i, row.length, dim);
            }
            return row;
        }

        private static IllegalArgumentException rowLength(int i, int got, int dim) {
            return new IllegalArgumentException(
                    "ragged features: row " + i + " has " + got + " values, row 0 has " + dim);
        }

        private Accumulator addRows(double[] rows, int n, int dim) {
            if (dim == 0) {
                throw new IllegalArgumentException("feature dimension must be at least 1");
            }
            if (d < 0) {
                d = dim;
                shift = new double[d];
                sum = new double[d];
                gram = new double[Math.multiplyExact(d, d)];
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < d; j++) {
                        shift[j] += rows[i * d + j];
                    }
                }
                for (int j = 0; j < d; j++) {
                    shift[j] /= n;
                }
            } else if (dim != d) {
                throw new IllegalArgumentException(
                        "feature dimension changed: this batch has " + dim + ", earlier ones " + d);
            }
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < d; j++) {
                    double v = rows[i * d + j];
                    if (!Double.isFinite(v)) {
                        throw new IllegalArgumentException(
                                "features contain NaN or infinity (row " + (count + i) + ", column " + j + ")");
                    }
                    v -= shift[j];
                    rows[i * d + j] = v;
                    sum[j] += v;
                }
            }
            Nd4jLinalg.addGram(gram, rows, n, d);
            count += n;
            return this;
        }

        /** Number of feature vectors added so far. */
        public long count() {
            return count;
        }

        /** The statistics of everything added; at least 2 vectors are needed. */
        public FeatureStatistics build() {
            if (count < 2) {
                throw new IllegalStateException(
                        "feature statistics need at least 2 samples (unbiased covariance), got " + count);
            }
            double[] mean = new double[d];
            double[] cov = new double[d * d];
            for (int j = 0; j < d; j++) {
                mean[j] = shift[j] + sum[j] / count;
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[i * d + j] = (gram[i * d + j] - sum[i] * sum[j] / count) / (count - 1);
                }
            }
            return create(mean, cov, count, Map.of());
        }
    }
}
