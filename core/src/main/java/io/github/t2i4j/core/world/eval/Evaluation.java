package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Category;
import java.util.List;

/**
 * The simulated annotator's verdict on one image for one prompt: every requirement of the prompt (in
 * {@link io.github.t2i4j.core.world.CompositionPrompt#requirements()} order) met or not, the score (the
 * fraction met, T2I-CompBench style, counted in the prompt's own {@code category}), whether all are met,
 * the objects found in the image, and which detected object each prompt object was matched to
 * ({@code assignment.get(i)} indexes {@code objects}, -1 for none).
 */
public record Evaluation(
        String caption,
        Category category,
        List<RequirementResult> requirements,
        double score,
        boolean allCorrect,
        List<DetectedObject> objects,
        List<Integer> assignment) {

    public Evaluation {
        requirements = List.copyOf(requirements);
        objects = List.copyOf(objects);
        assignment = List.copyOf(assignment);
    }

    /** Number of requirements met. */
    public int metCount() {
        return (int) requirements.stream().filter(RequirementResult::met).count();
    }
}
