package io.github.t2i4j.core.world.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.ObjectSpec;
import io.github.t2i4j.core.world.Relation;
import io.github.t2i4j.core.world.RelationSpec;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.SceneSampler;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class CompositionEvaluatorTest {
    private final CompositionEvaluator evaluator = new CompositionEvaluator();

    @Test
    void handDrawnCircleAndSquare() {
        BufferedImage img = canvas(64, 64, Color.WHITE);
        Graphics2D g = graphics(img);
        g.setColor(Colour.RED.color());
        g.fill(new Ellipse2D.Double(6, 20, 20, 20)); // centre (16, 30)
        g.setColor(Colour.BLUE.color());
        g.fill(new Rectangle2D.Double(40, 22, 16, 16)); // centre (48, 30)
        g.dispose();

        List<DetectedObject> found = byX(evaluator.detect(img));
        assertEquals(2, found.size());
        assertTrue(found.get(0).recognised());
        assertEquals(Shape.CIRCLE, found.get(0).shape());
        assertEquals(Colour.RED, found.get(0).colour());
        assertEquals(Texture.SOLID, found.get(0).texture());
        assertEquals(Shape.SQUARE, found.get(1).shape());
        assertEquals(Colour.BLUE, found.get(1).colour());
        assertEquals(16.0 / 64, found.get(0).placement().x(), 0.01);
        assertEquals(30.0 / 64, found.get(0).placement().y(), 0.01);
        assertEquals(20.0 / 64, found.get(0).placement().extent(), 0.02);
        assertEquals(16.0 / 64, found.get(1).placement().extent(), 0.02);

        CompositionPrompt left = twoObjects(Relation.LEFT_OF);
        Evaluation ok = evaluator.evaluate(img, left);
        assertTrue(ok.allCorrect());
        assertEquals(1.0, ok.score());
        assertEquals(List.of("object", "object", "relation"), ok.requirements().stream().map(RequirementResult::kind).toList());
        assertEquals("red circle left_of blue square", ok.requirements().get(2).description());

        String json = new com.google.gson.Gson().toJson(ok);
        com.google.gson.JsonObject parsed = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        assertTrue(parsed.get("allCorrect").getAsBoolean(), json);
        assertEquals("CIRCLE", parsed.getAsJsonArray("objects").get(ok.assignment().get(0)).getAsJsonObject().get("shape").getAsString());

        Evaluation wrong = evaluator.evaluate(img, twoObjects(Relation.RIGHT_OF));
        assertFalse(wrong.allCorrect());
        assertEquals(2.0 / 3, wrong.score(), 1e-12);
        assertFalse(wrong.requirements().get(2).met());
        assertEquals(Category.SPATIAL, wrong.category());
    }

    @Test
    void touchingObjectsOfDifferentColoursAreSeparated() {
        BufferedImage img = canvas(64, 64, Background.LIGHT_GREY.color());
        Graphics2D g = graphics(img);
        g.setColor(Colour.ORANGE.color());
        g.fill(new Rectangle2D.Double(10, 20, 20, 20));
        g.setColor(Colour.PURPLE.color());
        g.fill(new Ellipse2D.Double(30, 20, 20, 20)); // touches the square's right side
        g.dispose();
        List<DetectedObject> found = byX(evaluator.detect(img));
        assertEquals(2, found.size(), found.toString());
        assertEquals(Colour.ORANGE, found.get(0).colour());
        assertEquals(Shape.SQUARE, found.get(0).shape());
        assertEquals(Colour.PURPLE, found.get(1).colour());
        assertEquals(Shape.CIRCLE, found.get(1).shape());
    }

    @Test
    void shapelessBlobIsNotRecognised() {
        BufferedImage img = canvas(64, 64, Color.WHITE);
        Graphics2D g = graphics(img);
        g.setColor(Colour.GREEN.color());
        g.fill(new Rectangle2D.Double(8, 30, 48, 5)); // a long thin bar: no shape of the world
        g.dispose();
        List<DetectedObject> found = evaluator.detect(img);
        assertEquals(1, found.size());
        assertFalse(found.get(0).recognised(), found.get(0).describe());
        CompositionPrompt anyShape = new CompositionPrompt(
                "a green " + found.get(0).shape().word(),
                Category.SINGLE,
                List.of(ObjectSpec.of(Colour.GREEN, found.get(0).shape())),
                List.of());
        Evaluation e = evaluator.evaluate(found, anyShape);
        assertFalse(e.allCorrect());
        assertEquals(List.of(-1), e.assignment());
        assertEquals(1, e.objects().size());
    }

    @Test
    void emptyImageMeetsNothing() {
        BufferedImage img = canvas(64, 64, Background.BEIGE.color());
        assertTrue(evaluator.detect(img).isEmpty());
        Evaluation e = evaluator.evaluate(img, twoObjects(Relation.LEFT_OF));
        assertEquals(0.0, e.score());
        assertFalse(e.allCorrect());
        assertEquals(List.of(-1, -1), e.assignment());
    }

    @Test
    void everyAttributeCombinationAloneOnEveryBackground() {
        SceneRenderer renderer = new SceneRenderer();
        SplittableRandom rng = new SplittableRandom(3);
        int n = 0;
        for (Shape shape : Shape.values()) {
            for (Colour colour : Colour.values()) {
                for (Texture texture : Texture.values()) {
                    for (Size size : Size.values()) {
                        Background bg = Background.values()[n++ % Background.values().length];
                        double x = 0.3 + 0.4 * rng.nextDouble();
                        double y = 0.3 + 0.4 * rng.nextDouble();
                        SceneObject o = new SceneObject(shape, colour, texture, size, x, y);
                        List<DetectedObject> found = evaluator.detect(renderer.render(new Scene(bg, List.of(o))));
                        assertEquals(1, found.size(), o.describe());
                        DetectedObject d = found.get(0);
                        String what = o.describe() + " on " + bg.key() + " -> " + d.describe();
                        assertEquals(shape, d.shape(), what);
                        assertEquals(colour, d.colour(), what);
                        assertEquals(texture, d.texture(), what);
                        assertEquals(size, d.size(), what);
                        assertEquals(x, d.placement().x(), 0.01, what);
                        assertEquals(y, d.placement().y(), 0.01, what);
                        assertEquals(size.extent(), d.placement().extent(), 0.1 * size.extent(), what);
                    }
                }
            }
        }
    }

    @Test
    void largerAndNonSquareImages() {
        SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);
        for (int[] size : new int[][] {{128, 128}, {96, 64}, {256, 256}}) {
            SceneRenderer renderer = new SceneRenderer(size[0], size[1]);
            SplittableRandom rng = new SplittableRandom(size[0] + size[1]);
            int scenes = size[0] == 256 ? 15 : 50;
            int correct = 0;
            for (int k = 0; k < scenes; k++) {
                WorldExample e = sampler.sample(rng);
                Evaluation ev = evaluator.evaluate(renderer.render(e.scene()), e.prompt());
                correct += ev.allCorrect() ? 1 : 0;
            }
            assertTrue(correct >= scenes - 1, size[0] + "x" + size[1] + ": " + correct + " of " + scenes);
        }
    }

    @Test
    void shapeFillCalibrationMatchesGeometry() {
        ShapePrototypes p = ShapePrototypes.forSize(64, 64);
        assertEquals(Math.PI / 4, p.fill(Shape.CIRCLE), 0.03);
        assertEquals(1.0, p.fill(Shape.SQUARE), 0.03);
        assertEquals(0.5, p.fill(Shape.TRIANGLE), 0.03);
        assertEquals(0.5, p.fill(Shape.DIAMOND), 0.03);
        double arm = 0.38;
        assertEquals(1 - (1 - arm) * (1 - arm), p.fill(Shape.CROSS), 0.03);
    }

    @Test
    void sizeAndTextureDecisions() {
        assertEquals(Size.SMALL, CompositionEvaluator.size(0.22));
        assertEquals(Size.SMALL, CompositionEvaluator.size(0.28));
        assertEquals(Size.LARGE, CompositionEvaluator.size(0.30));
        assertEquals(Size.LARGE, CompositionEvaluator.size(0.5));
        assertEquals(Texture.SOLID, CompositionEvaluator.texture(0.01, 0, 0.9));
        assertEquals(Texture.SOLID, CompositionEvaluator.texture(0.05, 0.02, 0.9)); // not significant above noise
        assertEquals(Texture.STRIPED, CompositionEvaluator.texture(0.3, 0.01, 0.95));
        assertEquals(Texture.DOTTED, CompositionEvaluator.texture(0.3, 0.01, 0.05));
    }

    private static CompositionPrompt twoObjects(Relation relation) {
        return new CompositionPrompt(
                "a red circle " + relation.key() + " a blue square",
                Category.SPATIAL,
                List.of(ObjectSpec.of(Colour.RED, Shape.CIRCLE), ObjectSpec.of(Colour.BLUE, Shape.SQUARE)),
                List.of(new RelationSpec(0, relation, 1)));
    }

    private static List<DetectedObject> byX(List<DetectedObject> found) {
        return found.stream().sorted(Comparator.comparingDouble(d -> d.placement().x())).toList();
    }

    private static BufferedImage canvas(int w, int h, Color bg) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(bg);
        g.fillRect(0, 0, w, h);
        g.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        return g;
    }
}
