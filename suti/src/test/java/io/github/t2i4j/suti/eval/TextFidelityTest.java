package io.github.t2i4j.suti.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.eval.ImageDegradations;
import io.github.t2i4j.core.world.eval.RequirementResult;
import io.github.t2i4j.suti.subjects.Position;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectContext;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import io.github.t2i4j.suti.subjects.SubjectScene;
import java.awt.image.BufferedImage;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TextFidelityTest {

    private static final SubjectCatalog CATALOG = SubjectCatalog.load();
    private static final TextFidelity FIDELITY = new TextFidelity();

    /** Every context, each with a different subject: the asked context is met, and each wrong field fails alone. */
    @Test
    void rendersMeetTheirContextAndOnlyIt() {
        SubjectRenderer renderer = new SubjectRenderer();
        SplittableRandom rng = new SplittableRandom(21);
        int i = 0;
        for (Position p : Position.values()) {
            for (Size size : Size.values()) {
                for (Background bg : Background.values()) {
                    Subject s = CATALOG.get((i++ * 7) % CATALOG.all().size());
                    SubjectContext c = new SubjectContext(p, size, bg);
                    BufferedImage img = renderer.render(SubjectScene.stage(s, c, rng));
                    TextFidelity.Result r = FIDELITY.evaluate(img, c);
                    assertTrue(r.allMet(), c + " measured " + r.placement() + " " + r.size() + " " + r.background());
                    assertEquals(1.0, r.score(), 1e-12);
                    assertOnlyFails(FIDELITY.evaluate(img, new SubjectContext(opposite(p), size, bg)), "position");
                    assertOnlyFails(FIDELITY.evaluate(img, new SubjectContext(p, other(size), bg)), "size");
                    assertOnlyFails(FIDELITY.evaluate(img, new SubjectContext(
                            p, size, Background.values()[(bg.ordinal() + 1) % Background.values().length])), "background");
                    // soft, noisy renders (as a generator draws) still meet it
                    BufferedImage soft = ImageDegradations.gaussianNoise(ImageDegradations.gaussianBlur(img, 0.8), 0.03, rng);
                    assertTrue(FIDELITY.evaluate(soft, c).allMet(), "blurred " + c);
                }
            }
        }
    }

    @Test
    void anEmptyImageMeetsNothing() {
        BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        g.setColor(Background.BEIGE.color());
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        TextFidelity.Result r = FIDELITY.evaluate(img, new SubjectContext(Position.LEFT, Size.SMALL, Background.BEIGE));
        assertEquals(0, r.score());
        assertFalse(r.allMet());
    }

    private static void assertOnlyFails(TextFidelity.Result r, String kind) {
        for (RequirementResult q : r.requirements()) {
            assertEquals(!q.kind().equals(kind), q.met(), kind + ": " + r.requirements());
        }
        assertEquals(2 / 3.0, r.score(), 1e-12);
    }

    private static Position opposite(Position p) {
        return switch (p) {
            case CENTRE -> Position.TOP_LEFT;
            case LEFT -> Position.RIGHT;
            case RIGHT -> Position.LEFT;
            case TOP -> Position.BOTTOM;
            case BOTTOM -> Position.TOP;
            case TOP_LEFT -> Position.BOTTOM_RIGHT;
            case TOP_RIGHT -> Position.BOTTOM_LEFT;
            case BOTTOM_LEFT -> Position.TOP_RIGHT;
            case BOTTOM_RIGHT -> Position.TOP_LEFT;
        };
    }

    private static Size other(Size s) {
        return s == Size.SMALL ? Size.LARGE : Size.SMALL;
    }
}
