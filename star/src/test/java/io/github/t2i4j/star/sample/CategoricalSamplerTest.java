package io.github.t2i4j.star.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import io.github.t2i4j.core.tensor.Noise;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Seeded categorical sampling: frequencies, filtered tokens, seeds per item, argmax. */
class CategoricalSamplerTest {
    private static final Logger LOG = LoggerFactory.getLogger(CategoricalSamplerTest.class);
    private static final double[] P = {0.1, 0.45, 0.05, 0.3, 0.1};

    /** [1, n, V] logits, every row log P (with -inf where P is 0). */
    private static NDArray rows(NDManager m, double[] p, int n) {
        float[] l = new float[n * p.length];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < p.length; i++) {
                l[r * p.length + i] = (float) Math.log(p[i]);
            }
        }
        return HostArrays.owned(m.create(l, new Shape(1, n, p.length)));
    }

    @Test
    void frequenciesMatchTheDistribution() {
        int n = 20000;
        try (NDManager m = NDManager.newBaseManager()) {
            long[] ids = new CategoricalSampler(3, 1).sample(rows(m, P, n)).toLongArray();
            double[] freq = new double[P.length];
            for (long id : ids) {
                freq[(int) id] += 1.0 / n;
            }
            LOG.info("frequencies of {} draws: {} (target {})", n, Arrays.toString(freq), Arrays.toString(P));
            for (int i = 0; i < P.length; i++) {
                assertEquals(P[i], freq[i], 0.01, "token " + i);
            }
        }
    }

    @Test
    void filteredTokensAreNeverDrawn() {
        try (NDManager m = NDManager.newBaseManager()) {
            double[] p = {0.0, 0.5, 0.0, 0.5, 0.0};
            long[] ids = new CategoricalSampler(5, 1).sample(rows(m, p, 2000)).toLongArray();
            for (long id : ids) {
                assertEquals(1, id % 2, "drew a filtered token " + id);
            }
            // rounding past the total falls back on the last token with mass
            assertEquals(3, CategoricalSampler.inverseCdf(new float[] {0f, 0.5f, 0f, 0.5f, 0f}, 0, 5, 0.9999999999));
            assertEquals(1, CategoricalSampler.inverseCdf(new float[] {0f, 0.5f, 0f, 0.5f, 0f}, 0, 5, 0.0));
            assertThrows(IllegalArgumentException.class,
                    () -> CategoricalSampler.inverseCdf(new float[] {0f, 0f}, 0, 2, 0.5));
        }
    }

    @Test
    void sameSeedSameIdsAndEachItemReproducibleAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = Noise.gaussian(m, 1, new Shape(3, 50, 8)).mul(2f);
            long[] a = new CategoricalSampler(42, 3).sample(logits).toLongArray();
            long[] b = new CategoricalSampler(42, 3).sample(logits).toLongArray();
            assertArrayEquals(a, b);
            long[] c = new CategoricalSampler(43, 3).sample(logits).toLongArray();
            assertFalse(Arrays.equals(a, c), "another seed drew the same ids");
            // item 2 of a batch seeded 42 is the batch of one seeded 44
            long[] alone = new CategoricalSampler(44, 1).sample(logits.get("2:3")).toLongArray();
            assertArrayEquals(Arrays.copyOfRange(a, 100, 150), alone);
            // and successive calls continue each item's stream
            CategoricalSampler s = new CategoricalSampler(42, 3);
            s.sample(logits);
            long[] second = s.sample(logits).toLongArray();
            assertFalse(Arrays.equals(a, second));
        }
    }

    @Test
    void argmaxTakesTheMostLikelyToken() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray ids = CategoricalSampler.argmax(rows(m, P, 3));
            assertEquals(DataType.INT64, ids.getDataType());
            assertEquals(new Shape(1, 3), ids.getShape());
            assertArrayEquals(new long[] {1, 1, 1}, ids.toLongArray());
        }
    }
}
