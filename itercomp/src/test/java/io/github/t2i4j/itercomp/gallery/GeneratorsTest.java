package io.github.t2i4j.itercomp.gallery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.pipelines.DiffusionGenerator;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The layout-based (GLIGEN) and the planned (regional prompting) gallery members on the tiny world pipeline. */
class GeneratorsTest {
    private static final List<String> PROMPTS =
            List.of("a red circle to the left of a blue square", "a green star above a small yellow triangle");
    private static final int STEPS = 3;

    @TempDir Path tmp;

    private static StableDiffusionPipeline pipeline() {
        return (StableDiffusionPipeline) DiffusionPipelines.load(GalleryFixtures.tinyPipeline(), Device.cpu());
    }

    private static LayoutGenerator.Settings settings(double beta) {
        return new LayoutGenerator.Settings(STEPS, 5f, beta, 4, null);
    }

    /** The base pipeline's images, prompt by prompt (prompt i with seed + i). */
    private static List<int[]> baseImages(List<String> prompts, long seed, boolean onePerCall) {
        try (TextToImageGenerator base = new DiffusionGenerator("base", pipeline(), STEPS, 5f, null)) {
            if (!onePerCall) {
                return pixels(base.generate(prompts, seed));
            }
            List<BufferedImage> out = new ArrayList<>();
            for (int i = 0; i < prompts.size(); i++) {
                out.addAll(base.generate(List.of(prompts.get(i)), seed + i));
            }
            return pixels(out);
        }
    }

    private static List<int[]> pixels(List<BufferedImage> images) {
        return images.stream().map(i -> i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth())).toList();
    }

    private static void assertSame(List<int[]> expected, List<int[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i), actual.get(i), "image " + i);
        }
    }

    private static boolean differ(List<int[]> a, List<int[]> b) {
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return true;
            }
        }
        return false;
    }

    @Test
    void gligenWithClosedGatesDrawsTheBaseModelsImages() {
        List<int[]> base = baseImages(PROMPTS, 7, false);
        try (NDManager m = NDManager.newBaseManager()) {
            StableDiffusionPipeline pipe = pipeline();
            Engine.getInstance().setRandomSeed(3);
            GligenUNet gligen = GligenUNet.attach(pipe.unet(), m);
            try (LayoutGenerator g = new LayoutGenerator("gligen", pipe, gligen, new GrammarPlanner(), settings(1.0))) {
                List<BufferedImage> images = g.generate(PROMPTS, 7);
                assertEquals(2, images.size());
                assertEquals(64, images.get(0).getWidth());
                assertEquals(64, images.get(0).getHeight());
                assertSame(base, pixels(images));

                // open gates: the layout changes the image; the same seed gives the same image
                gligen.fusers().values().forEach(f -> f.alphaAttn().getArray().set(new float[] {1f}));
                List<int[]> grounded = pixels(g.generate(PROMPTS, 7));
                assertSame(grounded, pixels(g.generate(PROMPTS, 7)));
                assertFalse(!differ(base, grounded), "open gates must change the images");
                assertFalse(!differ(grounded, pixels(g.generate(PROMPTS, 8))), "another seed, other images");
            }
        }
        // scheduled sampling with beta 0: no grounded step at all, the base model even with open gates
        try (NDManager m = NDManager.newBaseManager()) {
            StableDiffusionPipeline pipe = pipeline();
            GligenUNet gligen = GligenUNet.attach(pipe.unet(), m);
            gligen.fusers().values().forEach(f -> f.alphaAttn().getArray().set(new float[] {1f}));
            try (LayoutGenerator g = new LayoutGenerator("gligen", pipe, gligen, new GrammarPlanner(), settings(0.0))) {
                assertSame(base, pixels(g.generate(PROMPTS, 7)));
            }
        }
        assertEquals(0, settings(0.3).groundingSteps());
        assertEquals(6, new LayoutGenerator.Settings(20, 5f, 0.3, 4, null).groundingSteps());
        assertThrows(IllegalArgumentException.class, () -> settings(1.5));
    }

    @Test
    void aLayoutGeneratorLoadsASavedGligenFolder() {
        Path dir = tmp.resolve("gligen");
        try (NDManager m = NDManager.newBaseManager(); StableDiffusionPipeline pipe = pipeline()) {
            GligenUNet.attach(pipe.unet(), m).save(dir, null);
        }
        List<String> one = List.of(PROMPTS.get(0));
        try (LayoutGenerator g = LayoutGenerator.load("gligen", GalleryFixtures.tinyPipeline(), dir, Device.cpu(),
                new GrammarPlanner(), settings(1.0))) {
            assertEquals("gligen", g.name());
            assertSame(baseImages(one, 3, false), pixels(g.generate(one, 3)));
            // too many objects for the slots is refused
            Layout five = new Layout(java.util.Collections.nCopies(5, new GroundedObject("circle", 0.1f, 0.1f, 0.3f, 0.3f)));
            assertThrows(IllegalArgumentException.class, () -> g.generate(one, List.of(five), 0));
        }
    }

    @Test
    void thePlannedGeneratorIsTheBaseModelOnAnEmptyPlanAndRegionalOtherwise() {
        List<int[]> base = baseImages(PROMPTS, 11, true);
        try (PlannedGenerator empty = new PlannedGenerator("rpg", pipeline(), (p, s) -> Layout.EMPTY,
                new PlannedGenerator.Settings(STEPS, 5f, 0.3, null))) {
            assertSame(base, pixels(empty.generate(PROMPTS, 11)));
        }
        try (PlannedGenerator planned = new PlannedGenerator("rpg", pipeline(), new GrammarPlanner(),
                new PlannedGenerator.Settings(STEPS, 5f, 0.3, null))) {
            List<BufferedImage> images = planned.generate(PROMPTS, 11);
            assertEquals(2, images.size());
            assertEquals(64, images.get(1).getWidth());
            List<int[]> regional = pixels(images);
            assertSame(regional, pixels(planned.generate(PROMPTS, 11)));
            assertFalse(!differ(base, regional), "regional prompts must change the images");
            assertFalse(!differ(regional, pixels(planned.generate(PROMPTS, 12))), "another seed, other images");
            // image i depends only on prompt i and seed + i
            assertSame(regional.subList(1, 2), pixels(planned.generate(PROMPTS.subList(1, 2), 12)));
        }
    }

    @Test
    void regionWeightsCoverEachBoxAndShareOverlaps() {
        try (NDManager m = NDManager.newBaseManager()) {
            Layout layout = new Layout(List.of(
                    new GroundedObject("red circle", 0f, 0f, 0.5f, 0.5f),
                    new GroundedObject("blue square", 0.25f, 0.25f, 0.75f, 0.5f),
                    new GroundedObject("star", 0.9f, 0.9f, 0.95f, 0.95f)));
            float[] w = PlannedGenerator.regionWeights(layout, 4, 4, m).toFloatArray();
            // region 0: rows 0-1, columns 0-1; region 1: row 1, columns 1-2; the overlap (1, 1) is shared
            float[] r0 = java.util.Arrays.copyOfRange(w, 0, 16);
            float[] r1 = java.util.Arrays.copyOfRange(w, 16, 32);
            float[] r2 = java.util.Arrays.copyOfRange(w, 32, 48);
            assertArrayEquals(new float[] {1, 1, 0, 0, 1, .5f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, r0, 1e-6f);
            assertArrayEquals(new float[] {0, 0, 0, 0, 0, .5f, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0}, r1, 1e-6f);
            // a box between cell centres still gets the cell holding its centre
            float[] only = new float[16];
            only[15] = 1;
            assertArrayEquals(only, r2, 1e-6f);
        }
        assertEquals("an orange square", PlannedGenerator.regionPrompt("orange square"));
        assertEquals("a red circle", PlannedGenerator.regionPrompt("red circle"));
    }
}
