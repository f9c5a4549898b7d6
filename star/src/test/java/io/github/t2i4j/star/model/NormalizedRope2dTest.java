package io.github.t2i4j.star.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.Golden;
import org.junit.jupiter.api.Test;

/** Positions, angles and rotations of STAR's normalised 2D RoPE on known values. */
class NormalizedRope2dTest {

    @Test
    void positionsOfA2x2And3x3Scale() {
        NormalizedRope2d rope = new NormalizedRope2d(8, 100, 64);
        double[][] p2 = rope.positions(2);
        // row-major: (x, y) = (0,0), (1,0), (0,1), (1,1), scaled by 64/(2-1)
        assertArrayEquals(new double[] {0, 0}, p2[0]);
        assertArrayEquals(new double[] {64, 0}, p2[1]);
        assertArrayEquals(new double[] {0, 64}, p2[2]);
        assertArrayEquals(new double[] {64, 64}, p2[3]);
        double[][] p3 = rope.positions(3);
        assertArrayEquals(new double[] {32, 0}, p3[1]);
        assertArrayEquals(new double[] {64, 32}, p3[5]); // x = 2, y = 1
        assertArrayEquals(new double[] {32, 64}, p3[7]); // x = 1, y = 2
        assertArrayEquals(new double[] {0, 0}, rope.positions(1)[0]);
    }

    @Test
    void anglesOnKnownValues() {
        // d = 8: w = [100^0, 100^(-4/8)] = [1, 0.1]; angles [x' w0, x' w1, y' w0, y' w1]
        NormalizedRope2d rope = new NormalizedRope2d(8, 100, 64);
        assertArrayEquals(new double[] {1, 0.1}, rope.frequencies(), 1e-12);
        assertArrayEquals(new double[] {64, 6.4, 64, 6.4}, rope.angles(2)[3], 1e-12);
        assertArrayEquals(new double[] {64, 6.4, 0, 0}, rope.angles(2)[1], 1e-12);
        assertArrayEquals(new double[] {64, 6.4, 32, 3.2}, rope.angles(3)[5], 1e-12);
        // released defaults
        NormalizedRope2d released = new NormalizedRope2d(64);
        assertEquals(Math.pow(10000, -4.0 / 64), released.frequencies()[1], 1e-15);
        assertEquals(16, released.frequencies().length);
    }

    @Test
    void tablesConcatenateScalesInTokenOrder() {
        NormalizedRope2d rope = new NormalizedRope2d(8, 100, 64);
        try (NDManager m = NDManager.newBaseManager()) {
            NormalizedRope2d.Tables t = rope.tables(m, 1, 2, 3);
            assertEquals(new Shape(14, 8), t.cos().getShape());
            // token 5 of the 3x3 scale is row 1 + 4 + 5 = 10
            float[] cos = t.cos().get(10).toFloatArray();
            float[] sin = t.signedSin().get(10).toFloatArray();
            double[] a = {64, 6.4, 32, 3.2};
            for (int i = 0; i < 4; i++) {
                assertEquals(Math.cos(a[i]), cos[2 * i], 1e-6);
                assertEquals(Math.cos(a[i]), cos[2 * i + 1], 1e-6);
                assertEquals(-Math.sin(a[i]), sin[2 * i], 1e-6);
                assertEquals(Math.sin(a[i]), sin[2 * i + 1], 1e-6);
            }
            NormalizedRope2d.Tables s = t.slice(5, 14);
            assertEquals(9, s.length());
            assertArrayEquals(cos, s.cos().get(5).toFloatArray());
        }
    }

    @Test
    void rotatesAKnownVector() {
        // d = 4: one frequency (1); N = pi/2, so the 2x2 corners rotate by 90 degrees
        NormalizedRope2d rope = new NormalizedRope2d(4, 10000, Math.PI / 2);
        try (NDManager m = NDManager.newBaseManager()) {
            NormalizedRope2d.Tables t = rope.tables(m, 2);
            NDArray x = m.create(new float[] {1, 2, 3, 4}).tile(new long[] {4, 1}).reshape(1, 1, 4, 4);
            NDArray y = t.apply(x);
            float[] expected = {
                1, 2, 3, 4, // (0,0): no rotation
                -2, 1, 3, 4, // (1,0): x pair by 90 degrees, y pair still
                1, 2, -4, 3, // (0,1)
                -2, 1, -4, 3 // (1,1)
            };
            Golden.assertClose("rotation", m.create(expected, new Shape(1, 1, 4, 4)), y, 1e-6);
        }
    }

    @Test
    void preservesNorms() {
        NormalizedRope2d rope = new NormalizedRope2d(16);
        try (NDManager m = NDManager.newBaseManager()) {
            NormalizedRope2d.Tables t = rope.tables(m, 1, 2, 3, 4);
            NDArray x = m.randomNormal(new Shape(2, 3, 30, 16));
            NDArray y = t.apply(x);
            NDArray nx = x.square().sum(new int[] {-1}).sqrt();
            NDArray ny = y.square().sum(new int[] {-1}).sqrt();
            Golden.assertClose("norms", nx, ny, 1e-5);
            double moved = Golden.maxAbsDiff(x, y);
            org.junit.jupiter.api.Assertions.assertTrue(moved > 0.1, "rotation did nothing: " + moved);
        }
    }

    @Test
    void dotProductDependsOnlyOnPositionDifference() {
        NormalizedRope2d rope = new NormalizedRope2d(16, 100, 8);
        int pn = 5;
        try (NDManager m = NDManager.newBaseManager()) {
            NormalizedRope2d.Tables t = rope.tables(m, pn);
            NDArray q = m.randomNormal(new Shape(1, 16)).tile(new long[] {pn * pn, 1});
            NDArray k = m.randomNormal(new Shape(1, 16)).tile(new long[] {pn * pn, 1});
            float[] s = t.apply(q).matMul(t.apply(k).transpose()).toFloatArray(); // [25, 25]
            java.util.function.BiFunction<int[], int[], Float> dot =
                    (a, b) -> s[(a[1] * pn + a[0]) * pn * pn + b[1] * pn + b[0]];
            // same offset along x within a row
            assertEquals(dot.apply(new int[] {0, 2}, new int[] {2, 2}),
                    dot.apply(new int[] {1, 2}, new int[] {3, 2}), 1e-4);
            assertEquals(dot.apply(new int[] {0, 0}, new int[] {1, 0}),
                    dot.apply(new int[] {3, 4}, new int[] {4, 4}), 1e-4);
            // same offset along y within a column
            assertEquals(dot.apply(new int[] {1, 0}, new int[] {1, 3}),
                    dot.apply(new int[] {1, 1}, new int[] {1, 4}), 1e-4);
            // and a different offset gives a different score
            org.junit.jupiter.api.Assertions.assertNotEquals(
                    dot.apply(new int[] {0, 2}, new int[] {2, 2}),
                    dot.apply(new int[] {0, 2}, new int[] {3, 2}), 1e-3);
        }
    }

    @Test
    void scalesSpanTheSameNormalisedSquare() {
        NormalizedRope2d rope = new NormalizedRope2d(64);
        double[][] a4 = rope.angles(4);
        double[][] a8 = rope.angles(8);
        int[][] corners4 = {{0}, {3}, {12}, {15}};
        int[][] corners8 = {{0}, {7}, {56}, {63}};
        for (int c = 0; c < 4; c++) {
            assertArrayEquals(a4[corners4[c][0]], a8[corners8[c][0]], 1e-9);
        }
        // the centre of the 3x3 grid meets the middle of the square too
        assertArrayEquals(new double[] {32, 32}, rope.positions(3)[4]);
    }
}
