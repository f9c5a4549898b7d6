package io.github.t2i4j.core.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The scalar operand autograd saves must survive the garbage collector. Between forward and
 * backward the test frees unreachable direct buffers (System.gc) and refills freed 4-byte blocks
 * with 7.0; with DJL's {@code x.mul(3f)} the gradient then reads 7 (or garbage) instead of 3.
 */
class ScalarsTest {

    private static float[] gradientAfterGc(NDManager m, BinaryOperator<NDArray> op, float[] at) throws Exception {
        NDArray x = HostArrays.owned(m.create(at));
        x.setRequiresGradient(true);
        List<ByteBuffer> reuse = new ArrayList<>();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray y = op.apply(x, null);
            for (int i = 0; i < 3; i++) {
                System.gc();
                Thread.sleep(20);
            }
            for (int i = 0; i < 20_000; i++) {
                ByteBuffer b = ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder());
                b.putFloat(0, 7f);
                reuse.add(b);
            }
            gc.backward(y.sum());
        }
        return x.getGradient().toFloatArray();
    }

    @Test
    void savedScalarsSurviveTheGarbageCollector() throws Exception {
        try (NDManager m = NDManager.newBaseManager()) {
            float[] x = {1f, -2f};
            assertArrayEquals(new float[] {3f, 3f}, gradientAfterGc(m, (a, u) -> Scalars.mul(a, 3f), x));
            assertArrayEquals(new float[] {0.25f, 0.25f}, gradientAfterGc(m, (a, u) -> Scalars.div(a, 4f), x));
            assertArrayEquals(new float[] {2f, -4f}, gradientAfterGc(m, (a, u) -> Scalars.pow(a, 2f), x));
            assertArrayEquals(new float[] {1f, 0f}, gradientAfterGc(m, (a, u) -> Scalars.maximum(a, 0f), x));
            assertArrayEquals(new float[] {0f, 1f}, gradientAfterGc(m, (a, u) -> Scalars.minimum(a, 0f), x));
        }
    }
}
