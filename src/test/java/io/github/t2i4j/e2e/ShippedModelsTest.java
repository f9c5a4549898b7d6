package io.github.t2i4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.clip.ClipRetrieval;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checkpoints committed under models/ load and do what their model cards say. */
class ShippedModelsTest {

    private static Path models() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models/world-clip"))) {
                return p.resolve("models");
            }
        }
        throw new IllegalStateException("models/world-clip not found");
    }

    @Test
    void worldClipIsSmallFp16AndRetrievesHeldOutCaptions() throws Exception {
        Path dir = models().resolve("world-clip");
        assertTrue(Files.isRegularFile(dir.resolve("MODEL_CARD.md")));
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(Dtype.F16, f.info("text_projection.weight").dtype());
        }
        List<WorldExample> examples = new ArrayList<>();
        for (Category c : List.of(Category.COLOR, Category.SPATIAL)) {
            examples.addAll(HeldOutSet.load(c).subList(0, 100));
        }
        try (WorldClip clip = WorldClip.load(dir, Device.cpu());
                CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(dir);
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(clip.model().parameterCount() < 10_000_000);
            ClipRetrieval.Result r = ClipRetrieval.evaluate(clip.model(), tokenizer, examples, 100, m);
            // chance is 0.01 in groups of 100
            assertTrue(r.imageToText() > 0.2, "image->text " + r.imageToText());
            assertTrue(r.textToImage() > 0.2, "text->image " + r.textToImage());
        }
    }
}
