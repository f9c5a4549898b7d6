package io.github.t2i4j.core.world;

import java.util.List;
import java.util.Objects;

/**
 * A scene: a plain background and 1 to 3 non-overlapping objects (drawn in list order). Scenes are
 * laid out for square images; {@link SceneRenderer} draws them at any size.
 */
public record Scene(Background background, List<SceneObject> objects) {

    /** Largest number of objects in a scene. */
    public static final int MAX_OBJECTS = 3;

    public Scene {
        Objects.requireNonNull(background, "background");
        objects = List.copyOf(objects);
        if (objects.isEmpty() || objects.size() > MAX_OBJECTS) {
            throw new IllegalArgumentException("a scene has 1 to 3 objects, got " + objects.size());
        }
    }

    /** Whether any object has a held-out colour-shape pair. */
    public boolean containsHeldOutCombination() {
        return objects.stream().anyMatch(SceneObject::isHeldOutCombination);
    }
}
