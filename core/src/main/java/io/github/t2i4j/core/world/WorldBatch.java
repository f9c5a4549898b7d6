package io.github.t2i4j.core.world;

import ai.djl.ndarray.NDArray;
import java.util.List;

/**
 * A batch of training pairs: images as a float32 [B, 3, H, W] NDArray in [-1, 1] and their captions
 * (plus the samples, for prompts and scenes). The caller owns (and closes) {@code images}.
 */
public record WorldBatch(NDArray images, List<String> captions, List<WorldSample> samples) {}
