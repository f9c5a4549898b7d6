package io.github.t2i4j.core.world;

import java.util.List;

/**
 * The outcome of matching a {@link CompositionPrompt} against scene objects: which scene object each
 * prompt object was assigned to ({@code -1} for none) and which of the prompt's
 * {@link CompositionPrompt#requirements() requirements} are met (same order).
 */
public record PromptMatch(CompositionPrompt prompt, int[] assignment, boolean[] met) {

    /** Number of requirements met. */
    public int metCount() {
        int c = 0;
        for (boolean b : met) {
            c += b ? 1 : 0;
        }
        return c;
    }

    /** Fraction of requirements met, in [0, 1] (the T2I-CompBench-style score). */
    public double fraction() {
        return met.length == 0 ? 1.0 : (double) metCount() / met.length;
    }

    /** Whether every requirement is met. */
    public boolean allMet() {
        return metCount() == met.length;
    }

    /** The requirements in the order of {@link #met()}. */
    public List<Requirement> requirements() {
        return prompt.requirements();
    }
}
