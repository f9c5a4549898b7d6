package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SceneRendererTest {

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }

    @Test
    void deterministic() {
        SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);
        SplittableRandom rng = new SplittableRandom(1);
        for (int i = 0; i < 50; i++) {
            Scene s = sampler.sample(rng).scene();
            assertArrayEquals(pixels(new SceneRenderer().render(s)), pixels(new SceneRenderer().render(s)));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 128})
    void exactColoursAndSizes(int side) {
        SceneRenderer r = new SceneRenderer(side);
        for (Shape shape : Shape.values()) {
            for (Size size : Size.values()) {
                SceneObject o = new SceneObject(shape, Colour.BLUE, Texture.SOLID, size, 0.5, 0.5);
                BufferedImage img = r.render(new Scene(Background.BEIGE, List.of(o)));
                assertEquals(side, img.getWidth());
                assertEquals(side, img.getHeight());
                assertEquals(Background.BEIGE.rgb(), img.getRGB(0, 0) & 0xFFFFFF);
                assertEquals(Colour.BLUE.rgb(), img.getRGB(side / 2, side / 2) & 0xFFFFFF, shape + " centre");
                // bounding box of non-background pixels: its larger side is the extent (within AA fringe)
                int x0 = side, y0 = side, x1 = -1, y1 = -1;
                int count = 0;
                for (int y = 0; y < side; y++) {
                    for (int x = 0; x < side; x++) {
                        if ((img.getRGB(x, y) & 0xFFFFFF) != Background.BEIGE.rgb()) {
                            x0 = Math.min(x0, x);
                            y0 = Math.min(y0, y);
                            x1 = Math.max(x1, x);
                            y1 = Math.max(y1, y);
                            count++;
                        }
                    }
                }
                double extent = size.extent() * side;
                int measured = Math.max(x1 - x0 + 1, y1 - y0 + 1);
                assertTrue(Math.abs(measured - extent) <= 2, shape + " " + size + ": " + measured + " vs " + extent);
                assertEquals(side / 2.0, (x0 + x1 + 1) / 2.0, 1.0, shape + " centred");
                double fill = count / (extent * extent);
                assertTrue(fill > 0.3 && fill < 1.15, shape + " fill " + fill);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {64, 128})
    void texturesUseTheShade(int side) {
        SceneRenderer r = new SceneRenderer(side);
        for (Texture t : Texture.values()) {
            for (Shape shape : Shape.values()) {
                SceneObject o = new SceneObject(shape, Colour.ORANGE, t, Size.LARGE, 0.5, 0.5);
                BufferedImage img = r.render(new Scene(Background.WHITE, List.of(o)));
                int base = 0;
                int shade = 0;
                for (int v : pixels(img)) {
                    base += (v & 0xFFFFFF) == Colour.ORANGE.rgb() ? 1 : 0;
                    shade += (v & 0xFFFFFF) == Colour.ORANGE.shadeRgb() ? 1 : 0;
                }
                assertTrue(base > 0, t + " " + shape);
                if (t == Texture.SOLID) {
                    assertEquals(0, shade);
                } else {
                    double ratio = shade / (double) (base + shade);
                    assertTrue(ratio > 0.08 && ratio < 0.6, t + " " + shape + " shade ratio " + ratio);
                }
            }
        }
    }

    @Test
    void tensorIsChwInRange() {
        Scene s = new SceneSampler(WorldSplit.TRAIN).sample(new SplittableRandom(3)).scene();
        SceneRenderer r = new SceneRenderer(64);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray t = r.renderTensor(s, m);
            assertEquals(new ai.djl.ndarray.types.Shape(3, 64, 64), t.getShape());
            assertTrue(t.max().getFloat() <= 1f && t.min().getFloat() >= -1f);
            // corner pixel is the background
            int bg = s.background().rgb();
            float red = t.getFloat(0, 0, 0);
            assertEquals(((bg >> 16) & 0xFF) / 127.5f - 1f, red, 1e-6);
        }
    }

    @Test
    void unitOutlinesFillTheirBox() {
        for (Shape s : Shape.values()) {
            var b = SceneRenderer.unitOutline(s).getBounds2D();
            assertEquals(1.0, Math.max(b.getWidth(), b.getHeight()), 1e-9);
            assertEquals(0.0, b.getCenterX(), 1e-9);
            assertEquals(0.0, b.getCenterY(), 1e-9);
        }
    }
}
