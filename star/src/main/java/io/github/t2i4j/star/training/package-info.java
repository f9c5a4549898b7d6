/**
 * STAR's training on the bundled world: the world-sized multi-scale VQ tokenizer ({@link
 * io.github.t2i4j.star.training.StarWorldTokenizerTraining}), the transformer ({@link
 * io.github.t2i4j.star.training.StarTraining}, with its token cache, caption dropout and the
 * resolution-transfer path {@link io.github.t2i4j.star.training.ScheduleTransfer}), and the export
 * of a STAR model folder ({@link io.github.t2i4j.star.training.StarExport}) for {@link
 * io.github.t2i4j.star.StarPipeline}.
 */
package io.github.t2i4j.star.training;
