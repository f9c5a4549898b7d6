/** STAR: scale-wise autoregressive text-to-image generation with normalised 2D RoPE. Planned: see the project issues. */
package io.github.t2i4j.star;
