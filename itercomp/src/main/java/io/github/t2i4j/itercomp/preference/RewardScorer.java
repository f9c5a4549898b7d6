package io.github.t2i4j.itercomp.preference;

import java.awt.image.BufferedImage;
import java.util.List;

/** Scores images for their captions, higher is better: the current reward model of an aspect, when a new member's images are placed into existing rankings. */
@FunctionalInterface
public interface RewardScorer {
    /** One score per (image, caption). */
    double[] score(List<BufferedImage> images, List<String> captions);
}
