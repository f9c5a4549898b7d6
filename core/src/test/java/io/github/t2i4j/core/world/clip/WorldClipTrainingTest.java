package io.github.t2i4j.core.world.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldClipTrainingTest {
    @TempDir Path tmp;

    @Test
    void trainsWithHardNegativesAndTheSequenceMarginAndReportsBoth() throws Exception {
        WorldClipTraining.Options o = WorldClipTraining.Options.tiny().withSteps(2).withBatchSize(4).withHardNegatives(true).withSequenceWeight(10);
        WorldClipTraining.Result r = WorldClipTraining.train(o, tmp.resolve("clip"), tmp.resolve("work"), false);
        assertEquals(2, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0, "loss " + r.finalLoss());
        assertEquals(HardNegatives.Kind.values().length, r.hardNegativeAccuracy().size(), r.hardNegativeAccuracy().toString());
        r.hardNegativeAccuracy().values().forEach(a -> assertTrue(a >= 0 && a <= 1, "accuracy " + a));
        assertEquals(HardNegatives.Kind.values().length, r.sequenceCosine().size(), r.sequenceCosine().toString());
        r.sequenceCosine().values().forEach(c -> assertTrue(c >= -1 && c <= 1 + 1e-6, "cosine " + c));
        assertTrue(Files.isRegularFile(tmp.resolve("clip/model.safetensors")));
    }

    @Test
    void theSequenceMarginNeedsHardNegatives() {
        assertThrows(IllegalArgumentException.class, () -> WorldClipTraining.Options.tiny().withSequenceWeight(1));
        assertThrows(IllegalArgumentException.class,
                () -> WorldClipTraining.Options.tiny().withHardNegatives(true).withSequenceWeight(-1));
    }
}
