package io.github.t2i4j.star.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** The block-causal mask over scales (1, 2, 3). */
class BlockCausalMaskTest {

    @Test
    void levelsAndMaskForScales123() {
        assertArrayEquals(new int[] {0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2},
                BlockCausalMask.levels(1, 2, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray mask = BlockCausalMask.create(m, 1, 2, 3);
            assertEquals(new Shape(14, 14), mask.getShape());
            float[] v = mask.toFloatArray();
            for (int i = 0; i < 14; i++) {
                // the first token of a row's own scale ends the visible prefix
                int visible = i == 0 ? 1 : i < 5 ? 5 : 14;
                for (int j = 0; j < 14; j++) {
                    float expected = j < visible ? 0f : Float.NEGATIVE_INFINITY;
                    assertEquals(expected, v[i * 14 + j], "mask[" + i + "][" + j + "]");
                }
            }
        }
    }
}
