package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;

/**
 * SDXL's added conditions ({@code added_cond_kwargs} for {@code addition_embed_type
 * "text_time"}): the pooled text embedding and the six size/crop numbers per sample.
 *
 * @param textEmbeds [B, pooled text width]
 * @param timeIds [B, 6]: original height/width, crop top/left, target height/width
 */
public record AddedCond(NDArray textEmbeds, NDArray timeIds) {}
