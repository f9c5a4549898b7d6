package io.github.t2i4j.itercomp.reward;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

class BradleyTerryLossTest {

    @Test
    void handComputedValues() {
        try (NDManager m = NDManager.newBaseManager()) {
            // -log sigmoid(d) for d = 1, 0, 3: 0.3132617, 0.6931472, 0.0485873; mean 0.3516654
            float loss = BradleyTerryLoss.loss(m.create(new float[] {1f, 0f, 2f}), m.create(new float[] {0f, 0f, -1f}))
                    .getFloat();
            assertEquals(0.3516654f, loss, 1e-6f);
            // a wrongly ordered pair: -log sigmoid(-2) = 2.1269280
            assertEquals(2.1269280f,
                    BradleyTerryLoss.loss(m.create(new float[] {-1f}), m.create(new float[] {1f})).getFloat(), 1e-6f);
        }
    }

    @Test
    void stableForLargeMargins() {
        try (NDManager m = NDManager.newBaseManager()) {
            assertEquals(0f, BradleyTerryLoss.loss(m.create(new float[] {100f}), m.create(new float[] {-100f}))
                    .getFloat(), 1e-6f);
            assertEquals(200f, BradleyTerryLoss.loss(m.create(new float[] {-100f}), m.create(new float[] {100f}))
                    .getFloat(), 1e-4f);
        }
    }

    @Test
    void accuracyAndShapeCheck() {
        assertEquals(2 / 3.0, BradleyTerryLoss.accuracy(new float[] {1, 2, 0}, new float[] {0, 1, 0}), 1e-12);
        try (NDManager m = NDManager.newBaseManager()) {
            assertThrows(IllegalArgumentException.class,
                    () -> BradleyTerryLoss.loss(m.create(new float[] {1f, 2f}), m.create(new float[] {1f})));
        }
    }
}
