/**
 * STAR: scale-wise autoregressive text-to-image generation with normalised 2D RoPE. {@link
 * io.github.t2i4j.star.StarPipeline} loads a trained STAR model folder and generates images;
 * the parts are in {@code model}, {@code tokenizer}, {@code sample} and {@code training}.
 */
package io.github.t2i4j.star;
