package io.github.t2i4j.core.models.clip;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.text.CLIPTextModelOutput;

/**
 * transformers' {@code CLIPOutput}: what {@link CLIPModel#forward} returns.
 *
 * @param loss the symmetric contrastive loss (scalar), or null when not asked for
 * @param logitsPerImage [images, texts], the transpose of {@code logitsPerText}
 * @param logitsPerText [texts, images], {@code exp(logit_scale) * textEmbeds @ imageEmbeds^T}
 * @param textEmbeds [texts, projection_dim], unit length
 * @param imageEmbeds [images, projection_dim], unit length
 * @param textModelOutput the text tower's output
 * @param visionModelOutput the vision tower's output
 */
public record CLIPOutput(
        NDArray loss,
        NDArray logitsPerImage,
        NDArray logitsPerText,
        NDArray textEmbeds,
        NDArray imageEmbeds,
        CLIPTextModelOutput textModelOutput,
        CLIPVisionModelOutput visionModelOutput) {}
