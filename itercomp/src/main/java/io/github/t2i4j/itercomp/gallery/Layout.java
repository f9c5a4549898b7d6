package io.github.t2i4j.itercomp.gallery;

import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.ObjectSpec;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;

/**
 * An image layout: the objects to draw, each a phrase with a box (GLIGEN's grounding input,
 * RPG's regions). A layout may be empty (no grounding: GLIGEN's null tokens only).
 */
public record Layout(List<GroundedObject> objects) {

    /** No objects. */
    public static final Layout EMPTY = new Layout(List.of());

    public Layout {
        objects = List.copyOf(objects);
    }

    /** Number of objects. */
    public int size() {
        return objects.size();
    }

    /** Whether there are no objects. */
    public boolean isEmpty() {
        return objects.isEmpty();
    }

    /**
     * The layout of a rendered scene: each object's full description ("large red striped
     * circle") with the bounding box of the outline the {@link SceneRenderer} draws.
     */
    public static Layout fromScene(Scene scene) {
        List<GroundedObject> out = new ArrayList<>();
        for (SceneObject o : scene.objects()) {
            out.add(grounded(ObjectSpec.exactly(o).describe(), o));
        }
        return new Layout(out);
    }

    /**
     * The layout of a world example as its caption names it: object {@code i} of the prompt
     * (which the {@link io.github.t2i4j.core.world.SceneSampler} places as scene object {@code i})
     * with the caption's own description of it ("red circle" when the caption says only that) and
     * its rendered box. This is what a {@link GrammarPlanner} produces from the caption, so a
     * model trained on these layouts sees at training time the phrases it is given at inference.
     */
    public static Layout fromExample(WorldExample example) {
        CompositionPrompt prompt = example.prompt();
        List<SceneObject> scene = example.scene().objects();
        if (scene.size() != prompt.objects().size()) {
            throw new IllegalArgumentException("example '" + example.caption() + "' names " + prompt.objects().size()
                    + " objects but its scene has " + scene.size());
        }
        List<GroundedObject> out = new ArrayList<>();
        for (int i = 0; i < scene.size(); i++) {
            out.add(grounded(prompt.objects().get(i).describe(), scene.get(i)));
        }
        return new Layout(out);
    }

    /** The rendered outline's bounding box of {@code o} in [0, 1] image coordinates, with {@code phrase}. */
    static GroundedObject grounded(String phrase, SceneObject o) {
        Rectangle2D b = SceneRenderer.outline(o, 1, 1).getBounds2D();
        return new GroundedObject(phrase, clamp(b.getMinX()), clamp(b.getMinY()), clamp(b.getMaxX()), clamp(b.getMaxY()));
    }

    private static float clamp(double v) {
        return (float) Math.max(0, Math.min(1, v));
    }
}
