package io.github.t2i4j.suti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.Golden;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NeighborAttentionTest {

    @Test
    void parametersCarryDiffusersStyleNamesAndTheTwoWidths() {
        NeighborAttention a = new NeighborAttention(16, 32, 4, "demos");
        Map<String, Shape> s = a.namedShapes();
        assertEquals(Set.of("norm.weight", "norm.bias", "norm_cross.weight", "norm_cross.bias", "attn.to_q.weight",
                "attn.to_k.weight", "attn.to_v.weight", "attn.to_out.0.weight", "attn.to_out.0.bias"), s.keySet());
        assertEquals(new Shape(16, 16), s.get("attn.to_q.weight"));
        assertEquals(new Shape(16, 32), s.get("attn.to_k.weight"));
        assertEquals(new Shape(16, 32), s.get("attn.to_v.weight"));
        assertEquals(new Shape(32), s.get("norm_cross.weight"));
        assertEquals(new Shape(16, 16), s.get("attn.to_out.0.weight"));
        assertThrows(IllegalArgumentException.class, () -> new NeighborAttention(18, 32, 4, "demos"));
    }

    @Test
    void startsAsTheIdentityAndLeavesSamplesWithoutDemonstrationsAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            NeighborAttention a = new NeighborAttention(16, 32, 4, "demos");
            a.initialize(m, DataType.FLOAT32, new SplittableRandom(1));
            NDArray hidden = TestArrays.gaussian(m, 2, 2, 6, 16);
            NDArray tokens = TestArrays.gaussian(m, 3, 2, 5, 32);
            assertEquals(0.0, Golden.maxAbsDiff(hidden, a.fuse(hidden, tokens)), 0.0);

            a.namedParameters().get("attn.to_out.0.weight").getArray()
                    .set(TestArrays.gaussian(m, 4, 16, 16).toFloatArray());
            NDArray open = a.fuse(hidden, tokens);
            for (int b = 0; b < 2; b++) {
                assertTrue(Golden.maxAbsDiff(hidden.get(b), open.get(b)) > 1e-3, "sample " + b + " attends");
            }
            // sample 1 without demonstrations: all-zero tokens
            NDArray mixed = tokens.duplicate();
            mixed.set(new NDIndex("1"), 0f);
            NDArray out = a.fuse(hidden, mixed);
            assertEquals(0.0, Golden.maxAbsDiff(hidden.get(1), out.get(1)), 0.0);
            assertEquals(0.0, Golden.maxAbsDiff(open.get(0), out.get(0)), 1e-6);
        }
    }

    @Test
    void initialisationIsAFunctionOfTheSeedWithAZeroOutputProjection() {
        try (NDManager m = NDManager.newBaseManager()) {
            NeighborAttention a = new NeighborAttention(16, 32, 4, "demos");
            NeighborAttention b = new NeighborAttention(16, 32, 4, "demos");
            NeighborAttention c = new NeighborAttention(16, 32, 4, "demos");
            a.initialize(m, DataType.FLOAT32, new SplittableRandom(5));
            b.initialize(m, DataType.FLOAT32, new SplittableRandom(5));
            c.initialize(m, DataType.FLOAT32, new SplittableRandom(6));
            a.namedParameters().forEach((name, p) ->
                    assertArrayEquals(p.getArray().toFloatArray(), b.namedParameters().get(name).getArray().toFloatArray(), name));
            float[] q = a.namedParameters().get("attn.to_q.weight").getArray().toFloatArray();
            assertFalse(Arrays.equals(q, c.namedParameters().get("attn.to_q.weight").getArray().toFloatArray()));
            float bound = (float) (1 / Math.sqrt(16));
            for (float v : q) {
                assertTrue(Math.abs(v) <= bound, "fan-in bound: " + v);
            }
            float[] k = a.namedParameters().get("attn.to_k.weight").getArray().toFloatArray();
            float boundK = (float) (1 / Math.sqrt(32));
            for (float v : k) {
                assertTrue(Math.abs(v) <= boundK, "fan-in bound of to_k: " + v);
            }
            for (String zero : new String[] {"attn.to_out.0.weight", "attn.to_out.0.bias", "norm.bias", "norm_cross.bias"}) {
                for (float v : a.namedParameters().get(zero).getArray().toFloatArray()) {
                    assertEquals(0f, v, zero);
                }
            }
            for (float v : a.namedParameters().get("norm.weight").getArray().toFloatArray()) {
                assertEquals(1f, v);
            }
        }
    }

    @Test
    void tokensOfAnotherWidthOrBatchAreRefused() {
        try (NDManager m = NDManager.newBaseManager()) {
            NeighborAttention a = new NeighborAttention(16, 32, 4, "demos");
            a.initialize(m, DataType.FLOAT32, new SplittableRandom(1));
            NDArray hidden = TestArrays.gaussian(m, 2, 2, 6, 16);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.fuse(hidden, TestArrays.gaussian(m, 3, 2, 5, 16)));
            assertTrue(e.getMessage().contains("[2, N, 32]"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.fuse(hidden, TestArrays.gaussian(m, 3, 3, 5, 32)));
        }
    }
}
