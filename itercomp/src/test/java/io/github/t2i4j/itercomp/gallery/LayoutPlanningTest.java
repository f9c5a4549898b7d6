package io.github.t2i4j.itercomp.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.CaptionParser;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.Placement;
import io.github.t2i4j.core.world.RelationSpec;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneSampler;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Layouts of rendered scenes and the grammar planner's layouts of captions. */
class LayoutPlanningTest {

    @Test
    void aSceneLayoutHasTheRenderedBoxesAndFullDescriptions() {
        SceneObject square = new SceneObject(Shape.SQUARE, Colour.values()[0], Texture.STRIPED, Size.LARGE, 0.3, 0.6);
        SceneObject star = new SceneObject(Shape.STAR, Colour.values()[1], Texture.SOLID, Size.SMALL, 0.75, 0.25);
        Layout layout = Layout.fromScene(new Scene(Background.values()[0], List.of(square, star)));
        assertEquals(2, layout.size());
        GroundedObject a = layout.objects().get(0);
        assertEquals(Size.LARGE.word() + " " + Colour.values()[0].word() + " striped square", a.phrase());
        double h = Size.LARGE.extent() / 2;
        assertEquals(0.3 - h, a.x0(), 1e-6);
        assertEquals(0.6 - h, a.y0(), 1e-6);
        assertEquals(0.3 + h, a.x1(), 1e-6);
        assertEquals(0.6 + h, a.y1(), 1e-6);
        // a star's box is its outline's: centred on the object, larger side the extent, narrower than tall or wide
        Placement p = layout.objects().get(1).placement();
        assertEquals(0.75, p.x(), 1e-6);
        assertEquals(0.25, p.y(), 1e-6);
        assertEquals(Size.SMALL.extent(), p.extent(), 1e-6);
        GroundedObject b = layout.objects().get(1);
        assertTrue(Math.min(b.x1() - b.x0(), b.y1() - b.y0()) < Size.SMALL.extent() - 1e-3);
    }

    @Test
    void anExampleLayoutNamesObjectsAsItsCaptionDoes() {
        WorldDataset data = new WorldDataset(3);
        for (int i = 0; i < 50; i++) {
            WorldExample e = data.example(i);
            Layout layout = Layout.fromExample(e);
            Layout full = Layout.fromScene(e.scene());
            assertEquals(e.prompt().objects().size(), layout.size());
            for (int j = 0; j < layout.size(); j++) {
                assertEquals(e.prompt().objects().get(j).describe(), layout.objects().get(j).phrase());
                assertEquals(full.objects().get(j).placement(), layout.objects().get(j).placement());
                // the caption's object j is the scene's object j
                assertTrue(e.prompt().objects().get(j).matches(e.scene().objects().get(j)), e.caption());
            }
        }
    }

    @Test
    void plansHonourSizesAndRelationsOfEveryCategory() {
        GrammarPlanner planner = new GrammarPlanner();
        int planned = 0;
        for (WorldSplit split : WorldSplit.values()) {
            for (Category c : Category.values()) {
                WorldDataset data = new WorldDataset(7, split, 64, c);
                for (int i = 0; i < 15; i++) {
                    String caption = data.example(i).caption();
                    CompositionPrompt prompt = CaptionParser.parse(caption);
                    Layout layout = planner.plan(caption, i);
                    check(prompt, layout, caption);
                    planned++;
                }
            }
        }
        assertEquals(WorldSplit.values().length * Category.values().length * 15, planned);
    }

    private static void check(CompositionPrompt prompt, Layout layout, String caption) {
        assertEquals(prompt.objects().size(), layout.size(), caption);
        List<Placement> places = layout.objects().stream().map(GroundedObject::placement).toList();
        for (int i = 0; i < layout.size(); i++) {
            int index = i;
            GroundedObject o = layout.objects().get(i);
            assertEquals(prompt.objects().get(i).describe(), o.phrase(), caption);
            Size asked = prompt.objects().get(i).size();
            boolean inSizeRelation = prompt.relations().stream()
                    .anyMatch(r -> !r.relation().isSpatial() && (r.subject() == index || r.object() == index));
            if (asked != null && !inSizeRelation) {
                assertEquals(asked.extent(), places.get(i).extent(), 1e-6, caption);
            }
            assertTrue(o.x0() >= SceneSampler.BORDER - 1e-3 && o.x1() <= 1 - SceneSampler.BORDER + 1e-3, caption);
            for (int j = i + 1; j < layout.size(); j++) {
                GroundedObject q = layout.objects().get(j);
                boolean apart = o.x1() <= q.x0() || q.x1() <= o.x0() || o.y1() <= q.y0() || q.y1() <= o.y0();
                assertTrue(apart, "boxes overlap: " + caption + " " + layout);
            }
        }
        for (RelationSpec r : prompt.relations()) {
            // float boxes: sizes equal only to float precision, so "same size" is checked leniently
            Placement a = places.get(r.subject());
            Placement b = places.get(r.object());
            assertTrue(r.relation().isSpatial() ? r.relation().holdsClearly(a, b) : r.relation().holds(a, b),
                    r + " does not hold in the plan of '" + caption + "': " + layout);
        }
    }

    @Test
    void aPlanDependsOnlyOnPromptAndSeed() {
        GrammarPlanner planner = new GrammarPlanner();
        String caption = "a red circle to the left of a blue square";
        assertEquals(planner.plan(caption, 4), planner.plan(caption, 4));
        assertEquals(planner.plan(caption, 4), new GrammarPlanner().plan(caption, 4));
        assertNotEquals(planner.plan(caption, 4), planner.plan(caption, 5));
        Layout l = planner.plan(caption, 4);
        assertEquals("red circle", l.objects().get(0).phrase());
        assertEquals("blue square", l.objects().get(1).phrase());
    }

    @Test
    void sizeRelationsDecideTheSizes() {
        GrammarPlanner planner = new GrammarPlanner();
        for (long seed = 0; seed < 10; seed++) {
            Layout bigger = planner.plan("a circle bigger than a square", seed);
            assertEquals(Size.LARGE.extent(), bigger.objects().get(0).placement().extent(), 1e-6);
            assertEquals(Size.SMALL.extent(), bigger.objects().get(1).placement().extent(), 1e-6);
            Layout same = planner.plan("a circle that is the same size as a large square", seed);
            assertEquals(Size.LARGE.extent(), same.objects().get(0).placement().extent(), 1e-6);
            assertEquals(Size.LARGE.extent(), same.objects().get(1).placement().extent(), 1e-6);
        }
    }

    @Test
    void badInputIsRefused() {
        GrammarPlanner planner = new GrammarPlanner();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> planner.plan("a photograph of a cat", 0));
        assertTrue(e.getMessage().contains("cat"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new GroundedObject("circle", 0.5f, 0.1f, 0.4f, 0.2f));
        assertThrows(IllegalArgumentException.class, () -> new GroundedObject("circle", 0.1f, 0.1f, 0.4f, 1.2f));
        assertThrows(IllegalArgumentException.class, () -> new GroundedObject(" ", 0.1f, 0.1f, 0.4f, 0.2f));
    }
}
