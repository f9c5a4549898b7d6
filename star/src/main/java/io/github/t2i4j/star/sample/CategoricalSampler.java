package io.github.t2i4j.star.sample;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.SplittableRandom;

/**
 * Draws token ids from logits with seeded Java random numbers ({@code torch.multinomial}'s role;
 * DJL's PyTorch engine has no multinomial). The softmax runs on the engine; the probabilities are
 * copied to Java and each row is sampled by inverse CDF with one uniform number.
 *
 * <p>Batch item i has its own generator, seeded {@code seed + i}, that draws its tokens in raster
 * order scale after scale: item i of a batch gets the same tokens as a batch of one seeded {@code
 * seed + i} (given the same logits), as {@link io.github.t2i4j.core.tensor.Noise#gaussianBatch}
 * promises for diffusion noise.
 */
public final class CategoricalSampler {
    private final long seed;
    private final SplittableRandom[] rngs;

    /** A sampler for {@code batch} items, item i seeded {@code seed + i}. */
    public CategoricalSampler(long seed, int batch) {
        if (batch <= 0) {
            throw new IllegalArgumentException("batch must be positive, got " + batch);
        }
        this.seed = seed;
        this.rngs = new SplittableRandom[batch];
        for (int i = 0; i < batch; i++) {
            rngs[i] = new SplittableRandom(seed + i);
        }
    }

    public long seed() {
        return seed;
    }

    public int batchSize() {
        return rngs.length;
    }

    /**
     * One draw per row of softmax({@code logits}): logits [B, n, V] (-inf for filtered tokens) to
     * ids [B, n] (INT64) on the logits' manager; row j of item i uses item i's generator.
     */
    public NDArray sample(NDArray logits) {
        Shape s = logits.getShape();
        if (s.dimension() != 3 || s.get(0) != rngs.length) {
            throw new IllegalArgumentException(
                    "expected logits [" + rngs.length + ", n, V], got " + s);
        }
        int b = (int) s.get(0);
        int n = (int) s.get(1);
        int v = (int) s.get(2);
        float[] probs;
        try (NDArray f = logits.toType(DataType.FLOAT32, true);
                NDArray p = f.softmax(2)) {
            probs = p.toFloatArray();
        }
        long[] ids = new long[b * n];
        for (int i = 0; i < b; i++) {
            for (int j = 0; j < n; j++) {
                int row = i * n + j;
                ids[row] = inverseCdf(probs, row * v, v, rngs[i].nextDouble());
            }
        }
        return HostArrays.owned(logits.getManager().create(ids, new Shape(b, n)));
    }

    /** The most likely id of each row: logits [B, n, V] to ids [B, n] (INT64). */
    public static NDArray argmax(NDArray logits) {
        try (NDArray a = logits.argMax(logits.getShape().dimension() - 1)) {
            return a.toType(DataType.INT64, true);
        }
    }

    /**
     * The index i of {@code probs[offset .. offset + v)} at which the cumulative sum first exceeds
     * {@code u} times the row's total, for u in [0, 1): index i is drawn with probability p_i /
     * sum(p). Zero-probability entries are never drawn; rounding that runs past the end gives the
     * last entry with a positive probability.
     */
    public static int inverseCdf(float[] probs, int offset, int v, double u) {
        double total = 0;
        for (int i = 0; i < v; i++) {
            total += probs[offset + i];
        }
        if (!(total > 0)) {
            throw new IllegalArgumentException("a row has no probability mass (all tokens filtered or NaN)");
        }
        double target = u * total;
        double cumulative = 0;
        int lastPositive = -1;
        for (int i = 0; i < v; i++) {
            float p = probs[offset + i];
            if (p > 0) {
                cumulative += p;
                lastPositive = i;
                if (cumulative > target) {
                    return i;
                }
            }
        }
        return lastPositive;
    }
}
