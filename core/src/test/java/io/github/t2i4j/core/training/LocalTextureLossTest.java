package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class LocalTextureLossTest {

    /** A [1, 1, 32, 32] image: 1 on a square grid of 2x2 dots with period 4, shifted by (dx, dy); 0 elsewhere. */
    private static NDArray dots(NDManager m, int dx, int dy) {
        float[] v = new float[32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                v[y * 32 + x] = ((x + dx) % 4 < 2 && (y + dy) % 4 < 2) ? 1f : 0f;
            }
        }
        return m.create(v, new Shape(1, 1, 32, 32));
    }

    /** Horizontal stripes of period 4 (two rows on, two off): the rows of {@link #dots} without their columns. */
    private static NDArray stripes(NDManager m) {
        float[] v = new float[32 * 32];
        for (int y = 0; y < 32; y++) {
            for (int x = 0; x < 32; x++) {
                v[y * 32 + x] = y % 4 < 2 ? 0.5f : 0f;
            }
        }
        return m.create(v, new Shape(1, 1, 32, 32));
    }

    @Test
    void ignoresWhereTheDotsAreButNotWhetherTheyAreDots() {
        LocalTextureLoss loss = LocalTextureLoss.defaults();
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray target = dots(m, 0, 0);
            NDArray shifted = dots(m, 1, 0);
            // a one-pixel shift changes a quarter of the pixels (half the columns of the dotted rows) ...
            assertEquals(0.25, shifted.sub(target).abs().mean().getFloat(), 1e-6);
            // ... and none of the window statistics (window 8 = two periods)
            assertEquals(0.0, loss.apply(shifted, target).getFloat(), 1e-6);
            // stripes (the dots averaged along x, what a per-pixel error prefers when the column
            // phase is unknown) match the vertical statistics and miss all the horizontal ones:
            // (0.25 + 0.5 + 0 + 0) / 4
            assertEquals(0.1875, loss.apply(stripes(m), target).getFloat(), 1e-6);
            assertTrue(stripes(m).sub(target).square().mean().getFloat() < shifted.sub(target).square().mean().getFloat(),
                    "in squared error per pixel, the stripes are closer to the dots than the shifted dots are");
            // flat grey has no differences: the loss is the target's mean statistic, 0.25 at lag 1
            // (every other neighbour pair of a dotted row differs) and 0.5 at lag 2 (every pair does)
            assertEquals(0.375, loss.apply(m.full(target.getShape(), 0.25f), target).getFloat(), 1e-6);
        }
    }

    @Test
    void rejectsMismatchedOrTooSmallImages() {
        LocalTextureLoss loss = LocalTextureLoss.defaults();
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(m.zeros(new Shape(1, 1, 32, 32)), m.zeros(new Shape(1, 1, 32, 31))));
            assertThrows(IllegalArgumentException.class,
                    () -> loss.apply(m.zeros(new Shape(1, 1, 9, 9)), m.zeros(new Shape(1, 1, 9, 9))));
            assertThrows(IllegalArgumentException.class, () -> new LocalTextureLoss(0, 1));
        }
    }
}
