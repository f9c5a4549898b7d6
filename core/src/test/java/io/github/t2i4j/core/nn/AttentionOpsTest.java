package io.github.t2i4j.core.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The query-chunked attention equals the plain formula, with and without masks. */
class AttentionOpsTest {

    private static NDArray reference(NDArray q, NDArray k, NDArray v, NDArray mask, float scale) {
        NDArray s = q.matMul(k.swapAxes(-1, -2)).mul(scale);
        if (mask != null) {
            s = s.add(mask);
        }
        return s.softmax(-1).matMul(v);
    }

    private static double maxDiff(NDArray a, NDArray b) {
        assertEquals(a.getShape(), b.getShape());
        return a.sub(b).abs().max().getFloat();
    }

    @Test
    void chunkedEqualsPlain() {
        try (NDManager m = NDManager.newBaseManager()) {
            // rows * Lk * 4 bytes per query = 2*3*9000*4 = 216 KB, so 38 queries per chunk: 27 chunks
            int lq = 1000;
            int lk = 9000;
            NDArray q = m.randomNormal(new Shape(2, 3, lq, 8));
            NDArray k = m.randomNormal(new Shape(2, 3, lk, 8));
            NDArray v = m.randomNormal(new Shape(2, 3, lk, 8));
            assertTrue(2L * 3 * lk * 4 * lq > AttentionOps.CHUNK_BYTES, "the case must be chunked");
            float scale = (float) (1 / Math.sqrt(8));
            assertTrue(maxDiff(reference(q, k, v, null, scale),
                    AttentionOps.scaledDotProduct(q, k, v, null, scale)) < 1e-5);
            // a key mask broadcast over queries, and a full per-query mask
            NDArray keyMask = m.randomUniform(0, 1, new Shape(2, 1, 1, lk)).lt(0.3).toType(
                    ai.djl.ndarray.types.DataType.FLOAT32, false).mul(-1e4f);
            assertTrue(maxDiff(reference(q, k, v, keyMask, scale),
                    AttentionOps.scaledDotProduct(q, k, v, keyMask, scale)) < 1e-5);
            NDArray fullMask = m.randomNormal(new Shape(2, 1, lq, lk));
            assertTrue(maxDiff(reference(q, k, v, fullMask, scale),
                    AttentionOps.scaledDotProduct(q, k, v, fullMask, scale)) < 1e-5);
        }
    }

    @Test
    void shortKeysScaleTheKeys() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray q = m.randomNormal(new Shape(1, 2, 64, 4));
            NDArray k = m.randomNormal(new Shape(1, 2, 5, 4));
            NDArray v = m.randomNormal(new Shape(1, 2, 5, 4));
            assertTrue(maxDiff(reference(q, k, v, null, 0.5f),
                    AttentionOps.scaledDotProduct(q, k, v, null, 0.5f)) < 1e-5);
        }
    }
}
