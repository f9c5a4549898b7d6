/**
 * The SuTI model: {@link io.github.t2i4j.suti.model.SuTIUNet} (a trained UNet whose own encoder reads
 * the demonstrations and whose {@link io.github.t2i4j.suti.model.NeighborAttention} layers attend to
 * them beside the text), the {@link io.github.t2i4j.suti.model.InterleavedGuidance} of Re-Imagen, and
 * the {@link io.github.t2i4j.suti.model.SuTIPipeline} that draws a subject in a new context from its
 * demonstrations in one sampling run.
 */
package io.github.t2i4j.suti.model;
