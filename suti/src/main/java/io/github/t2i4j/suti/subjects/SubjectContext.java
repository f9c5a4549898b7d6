package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Size;
import java.util.Objects;

/**
 * The context a subject is shown or asked for in: where it stands, how big it is (the world's
 * {@link Size}s) and the background. It is what a caption or prompt states and what
 * {@code TextFidelity} checks.
 */
public record SubjectContext(Position position, Size size, Background background) {

    public SubjectContext {
        Objects.requireNonNull(position, "position");
        Objects.requireNonNull(size, "size");
        Objects.requireNonNull(background, "background");
    }

    /** E.g. "small, on the left, beige". */
    public String describe() {
        return size.word() + ", " + position.phrase() + ", " + ContextCaptions.backgroundWords(background)[0];
    }
}
