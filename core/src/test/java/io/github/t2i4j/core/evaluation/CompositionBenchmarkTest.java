package io.github.t2i4j.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.WorldExample;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompositionBenchmarkTest {
    @TempDir Path tmp;

    private static List<WorldExample> heldOut() {
        List<WorldExample> all = new ArrayList<>();
        for (Category c : Category.values()) {
            all.addAll(HeldOutSet.load(c));
        }
        return all;
    }

    private static CompositionBenchmark.Options small() {
        return new CompositionBenchmark.Options(12, 0, 5, 6);
    }

    @Test
    void referenceRendersScorePerfectlyAndTheReportIsComplete() throws Exception {
        List<Category> cats = new ArrayList<>(Category.COMPBENCH);
        cats.add(Category.SINGLE);
        CompositionBenchmark.Report r = CompositionBenchmark.run(
                new ReferenceSceneGenerator(heldOut(), 64), cats, small(), null, tmp, n -> {});
        assertEquals(1.0, r.summary().overall(), 1e-9);
        assertEquals(12 * 7, r.summary().images());
        JsonObject json = JsonParser.parseString(Files.readString(tmp.resolve("metrics.json"))).getAsJsonObject();
        for (String key : new String[] {"color", "shape", "texture", "spatial", "non_spatial", "complex"}) {
            assertEquals(1.0, json.getAsJsonObject("categories").get(key).getAsDouble(), 1e-9, key);
        }
        assertTrue(json.has("overall") && json.has("clip_score") && json.has("fid") && json.has("seconds_per_image"));
        assertEquals(84, json.get("images").getAsInt());
        String md = Files.readString(tmp.resolve("report.md"));
        assertTrue(md.contains("| color | 1.000 |"), md);
        assertTrue(md.contains("## Where object requirements fail") && md.contains("| single | 12 | 0 |"), md);
        assertEquals(84, Files.readAllLines(tmp.resolve("evaluations.jsonl")).size());
        for (Category c : cats) {
            assertTrue(Files.isRegularFile(tmp.resolve("grid-" + c.name().toLowerCase() + ".png")), c.name());
            assertTrue(md.contains("grid-" + c.name().toLowerCase() + ".png"));
        }
    }

    @Test
    void aGeneratorThatIgnoresThePromptScoresLow() {
        List<WorldExample> all = heldOut();
        ReferenceSceneGenerator reference = new ReferenceSceneGenerator(all, 64);
        // draws the reference scene of another prompt of the same set
        TextToImageGenerator wrong = new TextToImageGenerator() {
            @Override
            public String name() {
                return "shuffled";
            }

            @Override
            public List<BufferedImage> generate(List<String> prompts, long seed) {
                List<String> rotated = new ArrayList<>(prompts.subList(1, prompts.size()));
                rotated.add(prompts.get(0));
                return reference.generate(rotated, seed);
            }
        };
        CompositionBenchmark.Report r = CompositionBenchmark.run(
                wrong, List.of(Category.COLOR, Category.SPATIAL), small(), null, tmp, n -> {});
        assertTrue(r.summary().overall() < 0.8, "shuffled images score " + r.summary().overall());
    }
}
