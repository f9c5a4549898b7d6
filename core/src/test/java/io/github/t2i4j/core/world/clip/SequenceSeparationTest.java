package io.github.t2i4j.core.world.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class SequenceSeparationTest {

    @Test
    void penalisesOnlyTheCosineAboveTheBound() {
        try (NDManager m = NDManager.newBaseManager()) {
            // row 0: the same sequence (cosine 1, loss 0.1); row 1: a scaled copy (cosine 1 too);
            // row 2: orthogonal sequences (cosine 0, no loss)
            NDArray a = m.create(new float[] {1, 2, 0, 0, /**/ 3, 0, 0, 4, /**/ 1, 0, 0, 0}, new Shape(3, 2, 2));
            NDArray b = m.create(new float[] {1, 2, 0, 0, /**/ 6, 0, 0, 8, /**/ 0, 0, 0, 5}, new Shape(3, 2, 2));
            assertEquals(1f, SequenceSeparation.cosine(a, b).getFloat(0), 1e-6f);
            assertEquals(1f, SequenceSeparation.cosine(a, b).getFloat(1), 1e-6f);
            assertEquals(0f, SequenceSeparation.cosine(a, b).getFloat(2), 1e-6f);
            assertEquals((0.1f + 0.1f + 0f) / 3, SequenceSeparation.loss(a, b, 0.9f).getFloat(), 1e-6f);
        }
    }

    @Test
    void flattensPositionsAndWidthTogether() {
        try (NDManager m = NDManager.newBaseManager()) {
            // same first position, opposite second: cosine (1 - 1) / 2 = 0 over the flattened sequence
            NDArray a = m.create(new float[] {1, 0, 0, 1}, new Shape(1, 2, 2));
            NDArray b = m.create(new float[] {1, 0, 0, -1}, new Shape(1, 2, 2));
            assertEquals(0f, SequenceSeparation.cosine(a, b).getFloat(0), 1e-6f);
            assertEquals(0f, SequenceSeparation.loss(a, b, 0.5f).getFloat(), 1e-6f);
        }
    }

    @Test
    void rejectsShapesThatDoNotMatch() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> SequenceSeparation.cosine(m.zeros(new Shape(2, 3, 4)), m.zeros(new Shape(2, 4, 3))));
            assertThrows(IllegalArgumentException.class,
                    () -> SequenceSeparation.cosine(m.zeros(new Shape(2, 12)), m.zeros(new Shape(2, 12))));
        }
    }
}
