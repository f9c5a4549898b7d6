package io.github.t2i4j.core.pipelines;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * Anything that turns prompts into images: a diffusion pipeline, an autoregressive model, a
 * layout-planned generator, or the world's own renderer. Evaluations and IterComp's model gallery
 * work through this interface.
 */
public interface TextToImageGenerator extends AutoCloseable {

    /** A short name for reports. */
    String name();

    /** One image per prompt; image {@code i} is drawn with seed {@code seed + i}. */
    List<BufferedImage> generate(List<String> prompts, long seed);

    @Override
    default void close() {}
}
