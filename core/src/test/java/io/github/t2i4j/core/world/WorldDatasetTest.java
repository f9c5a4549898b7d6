package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.image.Images;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorldDatasetTest {

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void streamIsDeterministicAndRandomAccess() {
        WorldDataset a = new WorldDataset(99);
        WorldDataset b = new WorldDataset(99);
        Iterator<WorldSample> it = a.iterator();
        for (int i = 0; i < 30; i++) {
            WorldSample s = it.next();
            WorldSample t = b.get(i);
            assertEquals(i, s.index());
            assertEquals(s.example(), t.example());
            assertArrayEquals(pixels(s.image()), pixels(t.image()));
        }
        assertEquals(a.get(5).example(), a.iterator(5).next().example());
        assertNotEquals(new WorldDataset(100).get(0).example(), a.get(0).example());
    }

    @Test
    void trainingStreamHasNoHeldOutPairs() {
        WorldDataset d = new WorldDataset(7);
        for (int i = 0; i < 2000; i++) {
            WorldExample e = d.example(i);
            assertTrue(!e.prompt().isHeldOut() && !e.scene().containsHeldOutCombination(), e.caption());
        }
    }

    @Test
    void categoryFilterAndSize() {
        WorldDataset d = new WorldDataset(1, WorldSplit.HELD_OUT, 128, Category.SPATIAL);
        for (int i = 0; i < 20; i++) {
            WorldSample s = d.get(i);
            assertEquals(Category.SPATIAL, s.prompt().category());
            assertTrue(s.prompt().isHeldOut());
            assertEquals(128, s.image().getWidth());
        }
    }

    @Test
    void batches() {
        WorldDataset d = new WorldDataset(3);
        try (NDManager m = NDManager.newBaseManager()) {
            Iterator<WorldBatch> it = d.batches(m, 10, 4);
            WorldBatch b0 = it.next();
            WorldBatch b1 = it.next();
            assertEquals(new ai.djl.ndarray.types.Shape(4, 3, 64, 64), b0.images().getShape());
            assertEquals(4, b0.captions().size());
            assertEquals(d.get(10).caption(), b0.captions().get(0));
            assertEquals(d.get(14).caption(), b1.captions().get(0));
            assertTrue(b0.images().max().getFloat() <= 1f && b0.images().min().getFloat() >= -1f);
            float[] first = Images.toCHW(d.get(11).image());
            float[] fromBatch = b0.images().get(1).toFloatArray();
            assertArrayEquals(first, fromBatch, 0f);
        }
    }

    @Test
    void exportWritesPngsAndJsonl(@TempDir Path dir) throws IOException {
        WorldDataset.export(dir, 12, WorldSplit.TRAIN, 5);
        List<String> lines = Files.readAllLines(dir.resolve("captions.jsonl"));
        assertEquals(12, lines.size());
        WorldDataset d = new WorldDataset(5);
        for (int i = 0; i < 12; i++) {
            JsonObject o = JsonParser.parseString(lines.get(i)).getAsJsonObject();
            assertEquals(String.format("%06d.png", i), o.get("image").getAsString());
            assertEquals("train", o.get("split").getAsString());
            WorldExample e = WorldJson.parseExample(o);
            assertEquals(d.example(i), e);
            BufferedImage png = Images.read(dir.resolve(o.get("image").getAsString()));
            assertArrayEquals(pixels(d.get(i).image()), pixels(png));
        }
    }
}
