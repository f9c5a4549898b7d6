package io.github.t2i4j.suti.eval;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Placement;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.eval.CompositionEvaluator;
import io.github.t2i4j.core.world.eval.RequirementResult;
import io.github.t2i4j.suti.subjects.SubjectContext;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Text fidelity judged from pixels (the world's stand-in for CLIP-T): is the context a prompt asks for
 * met? The subject is {@link LocatedSubject located} (the largest foreground component) and three
 * requirements are checked, in the world evaluator's terms:
 *
 * <ul>
 *   <li><b>position</b>: the bounding box's centre satisfies {@link io.github.t2i4j.suti.subjects.Position#holds};
 *   <li><b>size</b>: the world {@link Size} nearest in log scale to the bounding box's larger side over the
 *       image's smaller side ({@link CompositionEvaluator#size}, the evaluator's own rule) is the asked one;
 *   <li><b>background</b>: the world {@link Background} nearest in RGB to the border ring's median is the
 *       asked one.
 * </ul>
 *
 * The score is the fraction met (T2I-CompBench style); an image with no subject meets none.
 */
public final class TextFidelity {

    /** The verdict: per-requirement results (position, size, background), the fraction met, and what was measured. */
    public record Result(
            List<RequirementResult> requirements,
            double score,
            boolean allMet,
            Placement placement,
            Size size,
            Background background) {}

    /** A new measure (stateless; safe to share between threads). */
    public TextFidelity() {}

    /** Judges the image against the context it was asked for. */
    public Result evaluate(BufferedImage image, SubjectContext asked) {
        LocatedSubject found = LocatedSubject.locate(image);
        if (!found.found()) {
            List<RequirementResult> none = List.of(
                    new RequirementResult("position", asked.position().key(), false),
                    new RequirementResult("size", asked.size().word(), false),
                    new RequirementResult("background", asked.background().key(), false));
            return new Result(none, 0, false, null, null, found.nearestBackground());
        }
        Placement p = found.placement();
        Size size = CompositionEvaluator.size(p.extent());
        Background bg = found.nearestBackground();
        List<RequirementResult> results = List.of(
                new RequirementResult("position", asked.position().key(), asked.position().holds(p.x(), p.y())),
                new RequirementResult("size", asked.size().word(), size == asked.size()),
                new RequirementResult("background", asked.background().key(), bg == asked.background()));
        int met = (int) results.stream().filter(RequirementResult::met).count();
        return new Result(results, met / 3.0, met == 3, p, size, bg);
    }
}
