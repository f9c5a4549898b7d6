/**
 * The multi-scale residual VQ tokenizer of VAR and STAR ({@link
 * io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer}), compatible with VAR's checkpoints, and
 * its training pieces (VQ loss with the straight-through estimator, codebook usage, dead-code
 * re-initialisation).
 */
package io.github.t2i4j.star.tokenizer;
