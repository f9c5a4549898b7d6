package io.github.t2i4j.suti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.suti.model.InterleavedGuidance.Choice;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterleavedGuidanceTest {

    @Test
    void eachGuidedPredictionIsWTimesTheFullOneMinusWMinusOneTimesTheOther() {
        float[] full = {1f, 2f, 3f, -1f};
        float[] without = {0f, 1f, 1f, 1f};
        // 3 * full - 2 * without
        assertArrayEquals(new float[] {3f, 4f, 7f, -5f}, InterleavedGuidance.guided(full, without, 3f), 1e-6f);
        // scale 1 is the full prediction, scale 0 the other one
        assertArrayEquals(full, InterleavedGuidance.guided(full, without, 1f), 0f);
        assertArrayEquals(without, InterleavedGuidance.guided(full, without, 0f), 0f);

        InterleavedGuidance g = new InterleavedGuidance(5f, 2f, 0.5);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f = m.create(full);
            NDArray w = m.create(without);
            // e_text = 5 * full - 4 * e(x, empty, demos); e_demo = 2 * full - e(x, text, none)
            assertArrayEquals(new float[] {5f, 6f, 11f, -9f}, g.guide(Choice.TEXT, f, w).toFloatArray(), 1e-6f);
            assertArrayEquals(new float[] {2f, 3f, 5f, -3f}, g.guide(Choice.DEMO, f, w).toFloatArray(), 1e-6f);
            assertArrayEquals(InterleavedGuidance.guided(full, without, 5f), g.guide(Choice.TEXT, f, w).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void theChoicesAreSeededAndFollowTheRatio() {
        InterleavedGuidance g = new InterleavedGuidance(5f, 3f, 0.25);
        List<Choice> a = g.schedule(20_000, 9);
        assertEquals(a, g.schedule(20_000, 9));
        assertNotEquals(a, g.schedule(20_000, 10));
        double text = Collections.frequency(a, Choice.TEXT) / 20_000.0;
        assertEquals(0.25, text, 0.015);
        // a short schedule is the prefix of a long one: the i-th step's choice depends on the seed only
        assertEquals(a.subList(0, 25), g.schedule(25, 9));
        assertEquals(Collections.nCopies(30, Choice.TEXT), new InterleavedGuidance(5f, 3f, 1).schedule(30, 1));
        assertEquals(Collections.nCopies(30, Choice.DEMO), new InterleavedGuidance(5f, 3f, 0).schedule(30, 1));
    }

    @Test
    void badSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new InterleavedGuidance(5f, 3f, 1.5));
        assertThrows(IllegalArgumentException.class, () -> new InterleavedGuidance(-1f, 3f, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new InterleavedGuidance(5f, Float.NaN, 0.5));
        assertThrows(IllegalArgumentException.class,
                () -> InterleavedGuidance.guided(new float[2], new float[3], 2f));
    }
}
