package io.github.t2i4j.core.pipelines;

import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.models.unet.AddedCond;

/**
 * What the UNet is conditioned on for a batch. Under classifier-free guidance the unconditional
 * half comes first, as in diffusers.
 *
 * @param context the text sequence features for cross-attention, [B, L, D]
 * @param added SDXL's pooled text embedding and size/crop ids, or null
 */
public record Conditioning(NDArray context, AddedCond added) {}
