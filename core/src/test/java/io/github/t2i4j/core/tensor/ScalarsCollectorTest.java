package io.github.t2i4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.github.t2i4j.core.nn.Activations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Constants in a training graph survive the garbage collector: between forward and backward the
 * collector runs and freed direct memory is refilled with NaN, which is what corrupts the gradients
 * of DJL's {@code x.mul(2f)} (a Java-buffer scalar that autograd saved; with it these tests fail).
 */
class ScalarsCollectorTest {

    /** The gradient of sum(f(x)) at x, optionally with the collector run and direct memory reused before backward. */
    private static float[] gradient(NDManager m, float[] at, UnaryOperator<NDArray> f, boolean gcPressure)
            throws Exception {
        NDArray x = HostArrays.owned(m.create(at));
        x.setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = f.apply(x).sum();
            if (gcPressure) {
                for (int i = 0; i < 2; i++) {
                    System.gc();
                    Thread.sleep(20);
                }
                List<ByteBuffer> junk = new ArrayList<>();
                for (int i = 0; i < 2000; i++) {
                    ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                    b.putFloat(0, Float.NaN);
                    junk.add(b);
                }
            }
            gc.backward(y);
        }
        return x.getGradient().toFloatArray();
    }

    @Test
    void gradientsOfConstantOpsSurviveTheCollector() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] at = {0.5f, -1f, 2f};
            assertArrayEquals(new float[] {2, 2, 2}, gradient(m, at, x -> Scalars.mul(x, 2), true), 0);
            assertArrayEquals(new float[] {4, 4, 4}, gradient(m, at, x -> Scalars.div(x, 0.25f), true), 0);
            assertArrayEquals(new float[] {1, 0, 1}, gradient(m, at, x -> Scalars.maximum(x, 0), true), 0);
            assertArrayEquals(new float[] {1, 1, 0}, gradient(m, at, x -> Scalars.minimum(x, 1), true), 0);
        }
    }

    @Test
    void activationGradientsSurviveTheCollector() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] at = {0.5f, -1f, 2f};
            for (String name : List.of("gelu", "gelu_tanh", "quick_gelu", "relu")) {
                float[] calm = gradient(m, at, x -> Activations.apply(name, x), false);
                float[] pressed = gradient(m, at, x -> Activations.apply(name, x), true);
                assertArrayEquals(calm, pressed, 0, name);
                for (float g : pressed) {
                    assertTrue(Float.isFinite(g), name);
                }
            }
            // tanh-GELU's derivative at 0 is 0.5
            assertArrayEquals(new float[] {0.5f}, gradient(m, new float[] {0f}, Activations::geluTanh, true), 1e-6f);
        }
    }
}
