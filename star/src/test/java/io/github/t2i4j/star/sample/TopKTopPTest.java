package io.github.t2i4j.star.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import org.junit.jupiter.api.Test;

/** Top-k and top-p keep exactly the tokens VAR's sample_with_top_k_top_p_ keeps. */
class TopKTopPTest {

    /** Kept (finite) positions of each row of a [rows, V] result, as 0/1 flags. */
    private static int[] kept(NDArray filtered) {
        float[] v = filtered.toFloatArray();
        int[] out = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = Float.isFinite(v[i]) ? 1 : 0;
            assertTrue(Float.isFinite(v[i]) || v[i] == Float.NEGATIVE_INFINITY);
        }
        return out;
    }

    private static NDArray logitsOf(NDManager m, double[][] probs) {
        int v = probs[0].length;
        float[] l = new float[probs.length * v];
        for (int r = 0; r < probs.length; r++) {
            for (int i = 0; i < v; i++) {
                l[r * v + i] = (float) Math.log(probs[r][i]);
            }
        }
        return HostArrays.owned(m.create(l, new Shape(probs.length, v)));
    }

    @Test
    void topKKeepsTheKLargestAndAllTiesWithTheKth() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = HostArrays.owned(m.create(
                    new float[] {0.5f, 3f, -1f, 2f, 1f, /* ties */ 1f, 2f, 2f, 0f, 3f}, new Shape(2, 5)));
            assertArrayEquals(new int[] {0, 1, 0, 1, 0, 0, 1, 1, 0, 1}, kept(TopKTopP.topK(logits, 2)));
            assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 0, 0, 0, 1}, kept(TopKTopP.topK(logits, 1)));
            assertArrayEquals(new int[] {1, 1, 0, 1, 1, 1, 1, 1, 0, 1}, kept(TopKTopP.topK(logits, 4)));
            // kept values are unchanged; k = 0 and k >= V keep everything
            assertEquals(3f, TopKTopP.topK(logits, 2).getFloat(0, 1));
            assertArrayEquals(logits.toFloatArray(), TopKTopP.topK(logits, 0).toFloatArray());
            assertArrayEquals(logits.toFloatArray(), TopKTopP.topK(logits, 5).toFloatArray());
            // the input is left as it was
            assertEquals(-1f, logits.getFloat(0, 2));
        }
    }

    @Test
    void topPKeepsTheSmallestHeadWhoseMassExceedsP() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0 in an order that needs sorting, row 1 its mirror image
            NDArray logits = logitsOf(m, new double[][] {{0.15, 0.5, 0.05, 0.3}, {0.3, 0.05, 0.5, 0.15}});
            // p 0.75: ascending cumulative 0.05, 0.2, 0.5, 1 -> 0.05 and 0.15 (<= 0.25) go
            assertArrayEquals(new int[] {0, 1, 0, 1, 1, 0, 1, 0}, kept(TopKTopP.topP(logits, 0.75)));
            // p 0.85: only 0.05 (<= 0.15) goes
            assertArrayEquals(new int[] {1, 1, 0, 1, 1, 0, 1, 1}, kept(TopKTopP.topP(logits, 0.85)));
            // p 0.45: the top token alone holds more than 0.45
            assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 1, 0}, kept(TopKTopP.topP(logits, 0.45)));
            // a tiny p keeps only the argmax; p 1 and p 0 keep everything
            assertArrayEquals(new int[] {0, 1, 0, 0, 0, 0, 1, 0}, kept(TopKTopP.topP(logits, 1e-6)));
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, kept(TopKTopP.topP(logits, 1.0)));
            assertArrayEquals(new int[] {1, 1, 1, 1, 1, 1, 1, 1}, kept(TopKTopP.topP(logits, 0)));
        }
    }

    @Test
    void topPWithTiesKeepsAsManyAsTheMassNeedsAndNeverNone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray uniform = m.zeros(new Shape(1, 4));
            // cumulative 0.25, 0.5, 0.75, 1: p 0.5 removes two of the four equal tokens
            int[] half = kept(TopKTopP.topP(uniform, 0.5));
            assertEquals(2, java.util.Arrays.stream(half).sum());
            assertEquals(1, java.util.Arrays.stream(kept(TopKTopP.topP(uniform, 1e-6))).sum());
            assertEquals(3, java.util.Arrays.stream(kept(TopKTopP.topP(uniform, 0.6))).sum());
        }
    }

    @Test
    void topKThenTopPRenormalisesOverTheSurvivors() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray logits = logitsOf(m, new double[][] {{0.4, 0.3, 0.2, 0.1}});
            // top-k 3 leaves 4/9, 3/9, 2/9; ascending cumulative 2/9, 5/9, 1: p 0.7 removes 2/9 only
            assertArrayEquals(new int[] {1, 1, 0, 0}, kept(TopKTopP.filter(logits, 3, 0.7)));
            // top-k 2 leaves 4/7, 3/7: p 0.5 then removes 3/7 (<= 0.5)
            assertArrayEquals(new int[] {1, 0, 0, 0}, kept(TopKTopP.filter(logits, 2, 0.5)));
            // the same p without top-k: cumulative 0.1, 0.3 (<= 0.5) go, 0.6 stays
            assertArrayEquals(new int[] {1, 1, 0, 0}, kept(TopKTopP.filter(logits, 0, 0.5)));
            // batch x scale x vocab works the same on the last axis
            NDArray three = logits.reshape(1, 1, 4);
            assertArrayEquals(new int[] {1, 1, 1, 0}, kept(TopKTopP.filter(three, 3, 0)));
        }
    }
}
