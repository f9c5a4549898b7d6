package io.github.t2i4j.star.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.Golden;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** PyTorch's area and bicubic interpolation on known values. */
class ResamplingTest {
    private static final Logger LOG = LoggerFactory.getLogger(ResamplingTest.class);

    @Test
    void bicubicMatchesTorchOnA2x2Map() {
        // F.interpolate(torch.tensor([[[[1., 2.], [3., 4.]]]]), size=(4, 4), mode='bicubic',
        // align_corners=False): a=-0.75, borders clamped
        float[] expected = {
            0.68359375f, 1.015625f, 1.5625f, 1.89453125f,
            1.34765625f, 1.6796875f, 2.2265625f, 2.55859375f,
            2.44140625f, 2.7734375f, 3.3203125f, 3.65234375f,
            3.10546875f, 3.4375f, 3.984375f, 4.31640625f
        };
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
            NDArray y = Resampling.bicubic(x, 4, 4);
            assertEquals(new Shape(1, 1, 4, 4), y.getShape());
            Golden.assertClose("bicubic 2->4", m.create(expected, new Shape(1, 1, 4, 4)), y, 1e-6);
            // DJL's interpolation(mode 3) runs the antialiased kernel: logged for the record
            NDArray djl = x.getNDArrayInternal().interpolation(new long[] {4, 4}, 3, false);
            LOG.info("DJL interpolation(mode 3) 2->4 differs from torch bicubic by {}",
                    Golden.maxAbsDiff(y, djl));
        }
    }

    @Test
    void bicubicOfAConstantIsConstant() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.full(new Shape(2, 3, 3, 3), 0.7f);
            Golden.assertClose("constant", m.full(new Shape(2, 3, 13, 13), 0.7f), Resampling.bicubic(x, 13, 13), 1e-6);
        }
    }

    @Test
    void areaUsesAdaptiveBins() {
        // adaptive_avg_pool 5 -> 3: bins [0,2), [1,4), [3,5)
        assertArrayEquals(
                new float[] {0.5f, 0.5f, 0, 0, 0, 0, 1 / 3f, 1 / 3f, 1 / 3f, 0, 0, 0, 0, 0.5f, 0.5f},
                Resampling.areaWeights(5, 3));
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.arange(16f).reshape(1, 1, 4, 4);
            NDArray y = Resampling.area(x, 2, 2);
            assertArrayEquals(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, y.toFloatArray(), 1e-6f);
            NDArray same = Resampling.area(x, 4, 4);
            assertArrayEquals(x.toFloatArray(), same.toFloatArray());
        }
    }
}
