package io.github.t2i4j.core.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.eval.CompositionEvaluator;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureAnalysisTest {

    @Test
    void aPurpleStarDrawnBlueIsAColourConfusionOfThatPair() {
        WorldExample example = HeldOutSet.load(Category.SINGLE).stream()
                .filter(e -> e.prompt().objects().get(0).colour() == Colour.PURPLE
                        && e.prompt().objects().get(0).shape() == Shape.STAR)
                .findFirst()
                .orElseThrow();
        SceneObject star = example.scene().objects().get(0);
        Scene blue = new Scene(example.scene().background(), List.of(
                new SceneObject(star.shape(), Colour.BLUE, star.texture(), star.size(), star.x(), star.y())));
        SceneRenderer renderer = new SceneRenderer();
        CompositionEvaluator evaluator = new CompositionEvaluator();
        FailureAnalysis analysis = new FailureAnalysis();
        analysis.add(example.prompt(), evaluator.evaluate(renderer.render(example.scene()), example.prompt()));
        analysis.add(example.prompt(), evaluator.evaluate(renderer.render(blue), example.prompt()));

        assertEquals(1, analysis.errors().get(Category.SINGLE).get(FailureAnalysis.Error.COLOUR));
        assertEquals(1, analysis.errors().get(Category.SINGLE).size(), "only the colour is wrong");
        assertEquals(0.5, analysis.heldOutPairRates().get("purple star"), 1e-9);
        String md = analysis.markdown();
        assertTrue(md.contains("purple → blue 1"), md);
        assertTrue(md.contains("| purple star | 2 | 0.500 |"), md);
    }

    @Test
    void anEmptyImageHasNoObject() {
        WorldExample example = HeldOutSet.load(Category.COLOR).get(0);
        BufferedImage empty = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = empty.createGraphics();
        g.setColor(new Color(240, 240, 235));
        g.fillRect(0, 0, 64, 64);
        g.dispose();
        FailureAnalysis analysis = new FailureAnalysis();
        analysis.add(example.prompt(), new CompositionEvaluator().evaluate(empty, example.prompt()));
        assertEquals(2, analysis.errors().get(Category.COLOR).get(FailureAnalysis.Error.NO_OBJECT));
        assertTrue(analysis.heldOutPairRates().isEmpty(), "pairs are counted on single-object prompts only");
    }
}
