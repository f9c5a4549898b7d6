package io.github.t2i4j.core.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class ClipScoreTest {

    private static final float[][] IMAGES = {{1, 0, 0}, {1, 0, 0}, {3, 4, 0}, {2, 0, 0}, {0, 0, 0}};
    private static final float[][] TEXTS = {{5, 0, 0}, {0, 1, 0}, {4, 3, 0}, {-1, 0, 0}, {1, 1, 1}};
    // same direction, orthogonal, 24/25, opposite, zero embedding
    private static final double[] COS = {1, 0, 0.96, -1, 0};

    @Test
    void knownVectorsFromJavaArrays() {
        ClipScore s = ClipScore.of(IMAGES, TEXTS);
        assertEquals(5, s.size());
        assertArrayEquals(COS, s.cosines(), 1e-12);
        assertEquals(0.96 / 5, s.mean(), 1e-12);
        assertEquals(100 * 1.96 / 5, s.percent(), 1e-10);
        assertEquals(2.5 * 1.96 / 5, s.hessel(), 1e-12);
        assertEquals(0.96, s.cosine(2), 1e-12);
    }

    @Test
    void knownVectorsFromNdArrays() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray img = m.create(FrechetDistanceTest.flat(IMAGES), new Shape(5, 3));
            NDArray txt = m.create(FrechetDistanceTest.flat(TEXTS), new Shape(5, 3));
            ClipScore s = ClipScore.of(img, txt);
            assertArrayEquals(COS, s.cosines(), 1e-6);
            assertEquals(100 * 1.96 / 5, s.percent(), 1e-4);
            // inputs untouched and still open
            assertEquals(3f, img.getFloat(2, 0));
            ClipScore half = ClipScore.of(img.toType(ai.djl.ndarray.types.DataType.FLOAT16, false), txt);
            assertArrayEquals(COS, half.cosines(), 1e-3);
        }
    }

    @Test
    void scaleInvariant() {
        float[][] big = {{300, 400, 0}};
        float[][] small = {{0.004f, 0.003f, 0}};
        assertEquals(0.96, ClipScore.of(big, small).mean(), 1e-6);
    }

    @Test
    void mismatchedInputsAreErrors() {
        assertThrows(IllegalArgumentException.class, () -> ClipScore.of(IMAGES, new float[4][3]));
        assertThrows(IllegalArgumentException.class, () -> ClipScore.of(new float[0][], new float[0][]));
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> ClipScore.of(m.ones(new Shape(2, 3)), m.ones(new Shape(2, 4))));
            assertThrows(IllegalArgumentException.class,
                    () -> ClipScore.of(m.ones(new Shape(3)), m.ones(new Shape(3))));
        }
    }
}
