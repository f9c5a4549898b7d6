package io.github.t2i4j.star.sample;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import org.junit.jupiter.api.Test;

/** VAR's guidance ramp and the guided logits. */
class CfgRampTest {

    @Test
    void rampGoesLinearlyFromZeroToCfg() {
        assertEquals(0.0, CfgRamp.scale(4, 0, 5));
        assertEquals(1.0, CfgRamp.scale(4, 1, 5));
        assertEquals(3.0, CfgRamp.scale(4, 3, 5));
        assertEquals(4.0, CfgRamp.scale(4, 4, 5));
        assertEquals(4.5, CfgRamp.scale(4.5, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> CfgRamp.scale(4, 5, 5));
    }

    @Test
    void guidedLogitsExtrapolateFromUncondToCond() {
        try (NDManager m = NDManager.newBaseManager()) {
            // batch 2: cond rows (1, 2), (3, 4); uncond rows (0, 0), (5, 2)
            NDArray logits = HostArrays.owned(m.create(new float[] {1, 2, 3, 4, 0, 0, 5, 2}, new Shape(4, 1, 2)));
            NDArray g = CfgRamp.guide(logits, 2);
            assertEquals(new Shape(2, 1, 2), g.getShape());
            assertArrayEquals(new float[] {3, 6, -1, 8}, g.toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {1, 2, 3, 4}, CfgRamp.guide(logits, 0).toFloatArray());
        }
    }
}
