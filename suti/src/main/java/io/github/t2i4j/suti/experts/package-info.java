/**
 * The per-subject baselines SuTI is compared with and learns from: {@link
 * io.github.t2i4j.suti.experts.DreamBooth} (fine-tunes a copy of the UNet on a subject's images
 * captioned "a [identifier] [class]", with the prior-preservation loss on the base model's own "a
 * [class]" images) and {@link io.github.t2i4j.suti.experts.TextualInversion} (learns one new
 * token embedding and nothing else). Both work on any {@link
 * io.github.t2i4j.core.pipelines.StableDiffusionPipeline} (a real SD checkpoint or the bundled
 * world's model) and never change the base pipeline's weights.
 */
package io.github.t2i4j.suti.experts;
