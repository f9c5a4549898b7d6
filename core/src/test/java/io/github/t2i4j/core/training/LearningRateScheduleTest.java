package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void warmupThenCosineToFloor() {
        LearningRateSchedule s = LearningRateSchedule.warmupCosine(1e-3, 10, 110, 1e-4);
        assertEquals(1e-4, s.lr(0), 1e-12); // 1/10 of the peak at the first step
        assertEquals(5e-4, s.lr(4), 1e-12);
        assertEquals(1e-3, s.lr(9), 1e-12); // peak reached at the end of warm-up
        assertEquals(1e-3, s.lr(10), 1e-12); // cosine starts at the peak
        assertEquals(1e-4 + 0.5 * 9e-4, s.lr(60), 1e-12); // half way: the middle
        assertEquals(1e-4 + 0.5 * (1 + Math.cos(Math.PI * 0.25)) * 9e-4, s.lr(35), 1e-12);
        assertEquals(1e-4, s.lr(110), 1e-12);
        assertEquals(1e-4, s.lr(1000), 1e-12);
        for (long t = 10; t < 110; t++) {
            assertTrue(s.lr(t + 1) <= s.lr(t), "decreasing after warm-up at " + t);
        }
    }

    @Test
    void noWarmupAndConstant() {
        LearningRateSchedule s = LearningRateSchedule.warmupCosine(2.0, 0, 4, 0);
        assertEquals(2.0, s.lr(0), 1e-12);
        assertEquals(1.0, s.lr(2), 1e-12);
        assertEquals(0.0, s.lr(4), 1e-12);
        assertEquals(0.3, LearningRateSchedule.constant(0.3).lr(12345), 0);
    }

    @Test
    void rejectsBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupCosine(1, 10, 5, 0));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.warmupCosine(1, 0, 5, 2));
        assertThrows(IllegalArgumentException.class, () -> LearningRateSchedule.constant(Double.NaN));
    }
}
