/**
 * The STAR transformer's building blocks: normalised 2D RoPE, the block-causal mask over scales,
 * L2-normalised self-attention with a KV cache, cross-attention to text with a key padding mask,
 * the tanh-GELU FFN, the block, and the transformer's teacher-forced training forward.
 */
package io.github.t2i4j.star.model;
