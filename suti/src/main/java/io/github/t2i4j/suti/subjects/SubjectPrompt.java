package io.github.t2i4j.suti.subjects;

import java.util.Objects;

/** A request for a subject in a new context: the prompt text and the context it asks for (what text fidelity checks). */
public record SubjectPrompt(Subject subject, String text, SubjectContext context) {

    public SubjectPrompt {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(context, "context");
    }
}
