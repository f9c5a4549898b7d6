package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

class GradientClippingTest {

    /** Two parameters with gradients scale * (3, 0) and scale * (0, 4, 0): global norm 5 * scale. */
    private static List<Parameter> params(NDManager m, float scale) {
        Parameter a = Parameter.builder().setName("a").setType(Parameter.Type.WEIGHT).build();
        Parameter b = Parameter.builder().setName("b").setType(Parameter.Type.WEIGHT).build();
        NDArray x = m.create(new float[] {1f, 1f});
        NDArray y = m.create(new float[] {1f, 1f, 1f});
        x.setRequiresGradient(true);
        y.setRequiresGradient(true);
        a.setArray(x);
        b.setArray(y);
        NDArray gx = m.create(new float[] {3f * scale, 0f});
        NDArray gy = m.create(new float[] {0f, 4f * scale, 0f});
        GradientAccumulation.accumulate(1, i -> x.mul(gx).sum().add(y.mul(gy).sum()));
        return List.of(a, b);
    }

    @Test
    void clipsTheGlobalNormAndReturnsItBeforeClipping() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<Parameter> p = params(m, 2f); // norm 10
            assertEquals(10.0, GradientClipping.globalNorm(p), 1e-5);
            double before = GradientClipping.clipGlobalNorm(p, 1.0);
            assertEquals(10.0, before, 1e-5);
            assertEquals(1.0, GradientClipping.globalNorm(p), 1e-5);
            // direction kept: every gradient scaled by the same factor
            assertArrayEquals(
                    new float[] {0.6f, 0f}, p.get(0).getArray().getGradient().toFloatArray(), 1e-5f);
            assertArrayEquals(
                    new float[] {0f, 0.8f, 0f}, p.get(1).getArray().getGradient().toFloatArray(), 1e-5f);
        }
    }

    @Test
    void leavesSmallGradientsAlone() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<Parameter> p = params(m, 0.1f); // norm 0.5
            assertEquals(0.5, GradientClipping.clipGlobalNorm(p, 1.0), 1e-6);
            assertArrayEquals(
                    new float[] {0.3f, 0f}, p.get(0).getArray().getGradient().toFloatArray(), 1e-7f);
        }
    }

    @Test
    void nonFiniteNormIsReportedNotApplied() {
        try (NDManager m = NDManager.newBaseManager()) {
            List<Parameter> p = params(m, Float.POSITIVE_INFINITY);
            assertTrue(!Double.isFinite(GradientClipping.clipGlobalNorm(p, 1.0)));
        }
    }
}
