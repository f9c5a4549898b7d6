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

    /** One layout per prompt, prompt {@code i} planned with seed {@code seed + i} (as generators seed images). */
    default java.util.List<Layout> planAll(java.util.List<String> prompts, long seed) {
        java.util.List<Layout> layouts = new java.util.ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            layouts.add(plan(prompts.get(i), seed + i));
        }
        return layouts;
    }
}
