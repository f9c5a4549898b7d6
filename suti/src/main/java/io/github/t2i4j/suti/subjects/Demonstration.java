package io.github.t2i4j.suti.subjects;

import java.awt.image.BufferedImage;
import java.util.Objects;

/** One demonstration of a subject: the scene it shows, its image and its caption. */
public record Demonstration(SubjectScene scene, BufferedImage image, String caption) {

    public Demonstration {
        Objects.requireNonNull(scene, "scene");
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(caption, "caption");
    }

    /** The context the demonstration shows. */
    public SubjectContext context() {
        return scene.context();
    }
}
