package io.github.t2i4j.core.world;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class CompositionPromptTest {
    private static final CompositionPrompt RED_CIRCLE_LEFT_OF_BLUE_SQUARE =
            new CompositionPrompt(
                    "a red circle left of a blue square",
                    Category.SPATIAL,
                    List.of(ObjectSpec.of(Colour.RED, Shape.CIRCLE), ObjectSpec.of(Colour.BLUE, Shape.SQUARE)),
                    List.of(new RelationSpec(0, Relation.LEFT_OF, 1)));

    private static SceneObject obj(Shape s, Colour c, double x, double y) {
        return new SceneObject(s, c, Texture.SOLID, Size.SMALL, x, y);
    }

    @Test
    void requirementsAreObjectsThenRelations() {
        List<Requirement> req = RED_CIRCLE_LEFT_OF_BLUE_SQUARE.requirements();
        assertEquals(3, req.size());
        assertTrue(req.get(0) instanceof Requirement.HasObject h && h.index() == 0);
        assertTrue(req.get(2) instanceof Requirement.Holds);
        assertEquals("red circle left_of blue square", req.get(2).describe(RED_CIRCLE_LEFT_OF_BLUE_SQUARE.objects()));
    }

    @Test
    void correctSceneMeetsAll() {
        // scene objects in another order than the prompt's: the assignment finds them
        List<SceneObject> scene = List.of(obj(Shape.SQUARE, Colour.BLUE, 0.8, 0.5), obj(Shape.CIRCLE, Colour.RED, 0.2, 0.5));
        PromptMatch m = RED_CIRCLE_LEFT_OF_BLUE_SQUARE.match(scene);
        assertTrue(m.allMet());
        assertArrayEquals(new int[] {1, 0}, m.assignment());
        assertEquals(1.0, m.fraction());
    }

    @Test
    void swappedColoursFailEverything() {
        List<SceneObject> scene = List.of(obj(Shape.CIRCLE, Colour.BLUE, 0.2, 0.5), obj(Shape.SQUARE, Colour.RED, 0.8, 0.5));
        PromptMatch m = RED_CIRCLE_LEFT_OF_BLUE_SQUARE.match(scene);
        assertFalse(m.allMet());
        assertEquals(0.0, m.fraction());
    }

    @Test
    void swappedPositionsFailOnlyTheRelation() {
        List<SceneObject> scene = List.of(obj(Shape.CIRCLE, Colour.RED, 0.8, 0.5), obj(Shape.SQUARE, Colour.BLUE, 0.2, 0.5));
        PromptMatch m = RED_CIRCLE_LEFT_OF_BLUE_SQUARE.match(scene);
        assertArrayEquals(new boolean[] {true, true, false}, m.met());
        assertEquals(2.0 / 3, m.fraction(), 1e-12);
    }

    @Test
    void missingObjectAndExtraObjects() {
        List<SceneObject> one = List.of(obj(Shape.CIRCLE, Colour.RED, 0.2, 0.5));
        PromptMatch m = RED_CIRCLE_LEFT_OF_BLUE_SQUARE.match(one);
        assertArrayEquals(new boolean[] {true, false, false}, m.met());
        assertEquals(-1, m.assignment()[1]);
        List<SceneObject> three = List.of(
                obj(Shape.SQUARE, Colour.BLUE, 0.1, 0.5),
                obj(Shape.CIRCLE, Colour.RED, 0.5, 0.5),
                obj(Shape.SQUARE, Colour.BLUE, 0.9, 0.5));
        // the square on the right is picked so the relation holds too
        assertTrue(RED_CIRCLE_LEFT_OF_BLUE_SQUARE.match(three).allMet());
    }

    @Test
    void unspecifiedAttributesMatchAnything() {
        ObjectSpec circle = ObjectSpec.of(Shape.CIRCLE);
        for (Colour c : Colour.values()) {
            assertTrue(circle.matches(obj(Shape.CIRCLE, c, 0.5, 0.5)));
        }
        assertFalse(circle.matches(obj(Shape.SQUARE, Colour.RED, 0.5, 0.5)));
        assertFalse(new ObjectSpec(Shape.CIRCLE, null, Texture.STRIPED, null).matches(obj(Shape.CIRCLE, Colour.RED, 0.5, 0.5)));
    }

    @Test
    void heldOutRuleIsALatinSquare() {
        int held = 0;
        for (Colour c : Colour.values()) {
            for (Shape s : Shape.values()) {
                held += WorldSplit.isHeldOut(c, s) ? 1 : 0;
            }
        }
        assertEquals(6, held);
        assertTrue(WorldSplit.isHeldOut(Colour.PURPLE, Shape.STAR));
        assertTrue(WorldSplit.isHeldOut(Colour.ORANGE, Shape.CIRCLE));
        assertFalse(WorldSplit.isHeldOut(Colour.RED, Shape.CIRCLE));
        assertTrue(ObjectSpec.of(Colour.ORANGE, Shape.CIRCLE).isHeldOutCombination());
        assertFalse(ObjectSpec.of(Shape.CIRCLE).isHeldOutCombination());
    }

    @Test
    void rejectsBadStructures() {
        assertThrows(IllegalArgumentException.class, () -> new RelationSpec(1, Relation.ABOVE, 1));
        assertThrows(
                IllegalArgumentException.class,
                () -> new CompositionPrompt(
                        "x", Category.SPATIAL, List.of(ObjectSpec.of(Shape.STAR)), List.of(new RelationSpec(0, Relation.ABOVE, 1))));
        assertThrows(IllegalArgumentException.class, () -> new CompositionPrompt("x", Category.SINGLE, List.of(), List.of()));
    }
}
