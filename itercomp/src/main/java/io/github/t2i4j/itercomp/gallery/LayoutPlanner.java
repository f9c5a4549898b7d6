package io.github.t2i4j.itercomp.gallery;

/**
 * Turns a prompt into a {@link Layout}: the planning stage of planned generators (RPG and LMD ask
 * an LLM for the regions; {@link GrammarPlanner} parses the world's grammar instead) and the
 * grounding input of layout-based ones (GLIGEN, InstanceDiffusion).
 */
@FunctionalInterface
public interface LayoutPlanner {

    /**
     * The layout for {@code prompt}; the same prompt and seed always give the same layout.
     *
     * @throws IllegalArgumentException if the planner cannot read the prompt
     */
    Layout plan(String prompt, long seed);
}
