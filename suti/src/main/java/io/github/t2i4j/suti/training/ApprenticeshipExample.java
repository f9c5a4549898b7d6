package io.github.t2i4j.suti.training;

import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Objects;

/**
 * One training example of SuTI's apprenticeship learning: demonstrations of a subject (images with
 * captions), a prompt asking for the subject in a new context, and the target image for that prompt
 * (in SuTI, what the subject's DreamBooth expert drew; in the real-to-real comparison, another real
 * image of the subject).
 *
 * @param demoImages the demonstration images (at least one; SuTI uses 3 to 5)
 * @param demoCaptions one caption per demonstration
 * @param prompt the new-context prompt
 * @param target the image the model learns to produce for the prompt
 */
public record ApprenticeshipExample(
        List<BufferedImage> demoImages, List<String> demoCaptions, String prompt, BufferedImage target) {

    public ApprenticeshipExample {
        demoImages = List.copyOf(demoImages);
        demoCaptions = List.copyOf(demoCaptions);
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(target, "target");
        if (demoImages.isEmpty() || demoImages.size() != demoCaptions.size()) {
            throw new IllegalArgumentException("need at least one demonstration and one caption each: "
                    + demoImages.size() + " images, " + demoCaptions.size() + " captions");
        }
    }

    /** Number of demonstrations. */
    public int demonstrations() {
        return demoImages.size();
    }
}
