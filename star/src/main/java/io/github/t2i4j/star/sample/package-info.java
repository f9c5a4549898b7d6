/**
 * STAR's sampler: scale-by-scale generation with the transformer's KV cache (one forward per
 * scale), classifier-free guidance with VAR's linear ramp over scales, top-k / top-p filtering and
 * seeded categorical sampling in Java, and decoding of the accumulated f-hat by the multi-scale VQ
 * tokenizer.
 */
package io.github.t2i4j.star.sample;
