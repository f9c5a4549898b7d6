package io.github.t2i4j.core.world.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldClipTrainingTest {
    @TempDir Path tmp;

    @Test
    void trainsWithHardNegativesAndReportsHowOftenEachAttributeIsRead() throws Exception {
        WorldClipTraining.Options o = new WorldClipTraining.Options(32, 1, 2, 32, 16, 2, 4, 1e-3, 1, 0, 0, 0, false, false)
                .withHardNegatives(true);
        WorldClipTraining.Result r = WorldClipTraining.train(o, tmp.resolve("clip"), tmp.resolve("work"), false);
        assertEquals(2, r.steps());
        assertTrue(Double.isFinite(r.finalLoss()) && r.finalLoss() > 0, "loss " + r.finalLoss());
        assertEquals(HardNegatives.Kind.values().length, r.hardNegativeAccuracy().size(), r.hardNegativeAccuracy().toString());
        r.hardNegativeAccuracy().values().forEach(a -> assertTrue(a >= 0 && a <= 1, "accuracy " + a));
        assertTrue(Files.isRegularFile(tmp.resolve("clip/model.safetensors")));
    }
}
