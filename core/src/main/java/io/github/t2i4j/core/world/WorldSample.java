package io.github.t2i4j.core.world;

import java.awt.image.BufferedImage;

/** One training pair of the {@link WorldDataset} stream: its index, the rendered image and its example. */
public record WorldSample(long index, BufferedImage image, WorldExample example) {

    public String caption() {
        return example.caption();
    }

    public CompositionPrompt prompt() {
        return example.prompt();
    }

    public Scene scene() {
        return example.scene();
    }
}
