package io.github.t2i4j.core.world;

/** A prompt (caption and structure) and a reference scene that satisfies it. */
public record WorldExample(CompositionPrompt prompt, Scene scene) {

    /** The caption text. */
    public String caption() {
        return prompt.caption();
    }

    /** The prompt's category. */
    public Category category() {
        return prompt.category();
    }
}
