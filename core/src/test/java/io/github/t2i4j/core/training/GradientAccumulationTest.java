package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Linear;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class GradientAccumulationTest {

    @Test
    void twoHalfBatchesGiveTheFullBatchGradient() {
        try (NDManager m = NDManager.newBaseManager()) {
            Linear lin = new Linear(3, 2);
            lin.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32);
            Map<String, Parameter> params = lin.namedParameters();
            SplittableRandom rng = new SplittableRandom(3);
            float[] xv = new float[8 * 3];
            float[] yv = new float[8 * 2];
            for (int i = 0; i < xv.length; i++) {
                xv[i] = (float) rng.nextGaussian();
            }
            for (int i = 0; i < yv.length; i++) {
                yv[i] = (float) rng.nextGaussian();
            }
            NDArray x = m.create(xv, new Shape(8, 3));
            NDArray y = m.create(yv, new Shape(8, 2));

            AdamW.zeroGrad(params);
            double full =
                    GradientAccumulation.accumulate(
                            1, i -> lin.forward(x).sub(y).square().mean());
            float[] gw = params.get("weight").getArray().getGradient().toFloatArray();
            float[] gb = params.get("bias").getArray().getGradient().toFloatArray();

            AdamW.zeroGrad(params);
            double halves =
                    GradientAccumulation.accumulate(
                            2,
                            i -> {
                                NDIndex rows = new NDIndex(i * 4 + ":" + (i * 4 + 4));
                                return lin.forward(x.get(rows)).sub(y.get(rows)).square().mean();
                            });
            assertEquals(full, halves, 1e-6);
            assertArrayEquals(gw, params.get("weight").getArray().getGradient().toFloatArray(), 1e-6f);
            assertArrayEquals(gb, params.get("bias").getArray().getGradient().toFloatArray(), 1e-6f);

            // without zeroing, a second pass adds: the gradients double
            GradientAccumulation.accumulate(1, i -> lin.forward(x).sub(y).square().mean());
            float[] twice = params.get("bias").getArray().getGradient().toFloatArray();
            for (int i = 0; i < gb.length; i++) {
                assertEquals(2 * gb[i], twice[i], 1e-6f);
            }
        }
    }
}
