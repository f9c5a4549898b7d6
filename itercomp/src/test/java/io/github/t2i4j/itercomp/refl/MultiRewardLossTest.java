package io.github.t2i4j.itercomp.refl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The hinge loss over several rewards on hand-computed values. */
class MultiRewardLossTest {

    @Test
    void knownValuesAndGradients() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray r1 = HostArrays.owned(m.create(new float[] {1f, 3f}));
            NDArray r2 = HostArrays.owned(m.create(new float[] {0.5f, -1f}));
            r1.setRequiresGradient(true);
            r2.setRequiresGradient(true);
            MultiRewardLoss loss = new MultiRewardLoss(0.1, new double[] {2, 1}, new double[] {1, 0.5});
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = loss.loss(List.of(r1, r2));
                // image 0: relu(2 - 1) + 0.5 relu(1 - 0.5) = 1.25; image 1: relu(2 - 3) + 0.5 relu(1 + 1) = 1
                assertEquals(0.1 * (1.25 + 1.0) / 2, l.getFloat(), 1e-7);
                gc.backward(l);
            }
            // -scale * weight / B where the hinge is active, 0 where the reward is past its margin
            assertArrayEquals(new float[] {-0.05f, 0f}, r1.getGradient().toFloatArray(), 1e-7f);
            assertArrayEquals(new float[] {-0.025f, -0.025f}, r2.getGradient().toFloatArray(), 1e-7f);
        }
    }

    @Test
    void paperSettingAndValidation() {
        MultiRewardLoss p = MultiRewardLoss.paper(3);
        assertEquals(1e-3, p.scale());
        assertArrayEquals(new double[] {2, 2, 2}, p.margins());
        assertArrayEquals(new double[] {1, 1, 1}, p.weights());
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray r = HostArrays.owned(m.create(new float[] {2.5f, 1f, -2f}));
            // (0 + 1 + 4) / 3 per reward, three equal rewards
            assertEquals(1e-3 * 3 * 5 / 3.0, p.loss(List.of(r, r, r)).getFloat(), 1e-9);
            assertThrows(IllegalArgumentException.class, () -> p.loss(List.of(r, r)));
        }
        assertThrows(IllegalArgumentException.class, () -> new MultiRewardLoss(1, new double[] {2}, new double[0]));
    }
}
