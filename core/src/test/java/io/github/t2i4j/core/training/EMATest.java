package io.github.t2i4j.core.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EMATest {

    @Test
    void decayRules() {
        EMA.Decay c = EMA.Decay.constant(0.99);
        assertEquals(0, c.at(1)); // the first update copies the weights
        assertEquals(0.99, c.at(2));
        assertEquals(0.99, c.at(1000));
        EMA.Decay w = EMA.Decay.warmup(0.9999, 0.75);
        assertEquals(0, w.at(1));
        assertEquals(1 - Math.pow(2, -0.75), w.at(2), 1e-12);
        assertEquals(1 - Math.pow(102, -0.75), w.at(102), 1e-12); // step 101
        assertEquals(0.9999, w.at(100_000_000L), 1e-12); // clamped to the maximum
    }

    @Test
    void averagesSwapsAndCopies(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            Parameter p = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            NDArray w = m.create(new float[] {1f, 2f});
            w.setRequiresGradient(true);
            p.setArray(w);
            EMA ema = new EMA(Map.of("w", p), EMA.Decay.constant(0.5));
            ema.update(); // decay 0: shadow = w
            assertEquals(1f, ema.shadow().get("w").getFloat(0));
            w.stopGradient().set(new NDIndex("..."), m.create(new float[] {3f, 6f}));
            ema.update(); // 0.5 * (1, 2) + 0.5 * (3, 6)
            assertEquals(2f, ema.shadow().get("w").getFloat(0), 1e-6);
            assertEquals(4f, ema.shadow().get("w").getFloat(1), 1e-6);
            assertFalse(ema.shadow().get("w").hasGradient());

            ema.swap();
            assertEquals(2f, w.getFloat(0), 1e-6);
            assertEquals(3f, ema.shadow().get("w").getFloat(0), 1e-6);
            ema.swap();
            assertEquals(3f, w.getFloat(0), 1e-6);
            assertTrue(w.hasGradient());

            Path file = dir.resolve("ema.safetensors");
            ema.save(file);
            NDArray w2 = m.create(new float[] {0f, 0f});
            Parameter p2 = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            p2.setArray(w2);
            EMA restored = new EMA(Map.of("w", p2), EMA.Decay.constant(0.5));
            restored.load(file);
            assertEquals(2, restored.updateCount());
            assertTrue(restored.shadow().get("w").contentEquals(ema.shadow().get("w")));
        }
    }

    @Test
    void copyToAnotherModelAndLoadAsWeights(@TempDir Path dir) {
        try (NDManager m = NDManager.newBaseManager()) {
            TinyMlp a = TinyMlp.create(m, 1);
            EMA ema = EMA.of(a, EMA.Decay.constant(0.9));
            ema.update();
            TinyMlp b = TinyMlp.create(m, 2);
            ema.copyTo(b);
            for (String n : a.namedParameters().keySet()) {
                assertTrue(
                        a.namedParameters().get(n).getArray()
                                .contentEquals(b.namedParameters().get(n).getArray()), n);
            }
            // the EMA file is a model checkpoint under the same names
            Path file = dir.resolve("ema.safetensors");
            ema.save(file);
            TinyMlp c = TinyMlp.create(m, 3);
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                StateDict.load(c, f);
            }
            assertTrue(
                    c.namedParameters().get("fc2.weight").getArray()
                            .contentEquals(a.namedParameters().get("fc2.weight").getArray()));
        }
    }
}
