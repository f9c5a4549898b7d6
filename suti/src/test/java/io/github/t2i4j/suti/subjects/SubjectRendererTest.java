package io.github.t2i4j.suti.subjects;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.Size;
import java.awt.geom.AffineTransform;
import java.awt.geom.NoninvertibleTransformException;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SubjectRendererTest {

    private static final SubjectCatalog CATALOG = SubjectCatalog.load();

    @Test
    void rendersAreDeterministic() {
        SubjectRenderer r = new SubjectRenderer();
        for (int id = 0; id < 450; id += 37) {
            SubjectContext c = Demonstrations.randomContext(new SplittableRandom(id));
            SubjectScene a = SubjectScene.stage(CATALOG.get(id), c, new SplittableRandom(id));
            SubjectScene b = SubjectScene.stage(CATALOG.get(id), c, new SplittableRandom(id));
            assertEquals(a, b);
            assertArrayEquals(pixels(r.render(a)), pixels(new SubjectRenderer().render(b)));
        }
    }

    /** Pixels well inside one region of the pattern carry exactly that region's paint; the corners the background. */
    @Test
    void patternIsPaintedWhereItsDefinitionSays() throws NoninvertibleTransformException {
        SubjectRenderer r = new SubjectRenderer();
        for (int id = 0; id < 450; id += 23) {
            Subject s = CATALOG.get(id);
            SubjectScene scene = new SubjectScene(s, new SubjectContext(Position.CENTRE, Size.LARGE, Background.BEIGE), 0.5, 0.5);
            BufferedImage img = r.render(scene);
            assertEquals(Background.BEIGE.rgb(), img.getRGB(0, 0) & 0xFFFFFF);
            AffineTransform toUnit = r.transform(0.5, 0.5, scene.extent()).createInverse();
            java.awt.Shape outline = SceneRenderer.unitOutline(s.shape());
            int checked = 0;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 64; x++) {
                    Paint p = uniformPaint(s, outline, toUnit, x, y);
                    if (p != null) {
                        assertEquals(p.rgb(), img.getRGB(x, y) & 0xFFFFFF, s.describe() + " at " + x + "," + y);
                        checked++;
                    }
                }
            }
            assertTrue(checked >= 40, s.describe() + ": only " + checked + " pixels checked");
        }
    }

    /** The paint of pixel (x, y) when its whole square (and a margin) lies inside the outline in one paint, else null. */
    private static Paint uniformPaint(Subject s, java.awt.Shape outline, AffineTransform toUnit, int x, int y) {
        Paint first = null;
        for (double dy = -0.25; dy <= 1.25; dy += 0.25) {
            for (double dx = -0.25; dx <= 1.25; dx += 0.25) {
                Point2D u = toUnit.transform(new Point2D.Double(x + dx, y + dy), null);
                if (!outline.contains(u)) {
                    return null;
                }
                Paint p = s.pattern().paintAt(u.getX(), u.getY());
                if (first == null) {
                    first = p;
                } else if (!first.equals(p)) {
                    return null;
                }
            }
        }
        return first;
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
