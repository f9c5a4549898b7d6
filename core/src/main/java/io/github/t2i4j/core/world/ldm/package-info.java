/**
 * The embedded default latent-diffusion model of the bundled world: {@link
 * io.github.t2i4j.core.world.ldm.VaeTraining} (a small AutoencoderKL, 64x64 to 16x16x4), {@link
 * io.github.t2i4j.core.world.ldm.UNetTraining} (a small SD-layout UNet on its latents, conditioned
 * on the frozen world CLIP text encoder) and {@link io.github.t2i4j.core.world.ldm.LdmExport}
 * (the diffusers StableDiffusionPipeline directory).
 */
package io.github.t2i4j.core.world.ldm;
