package io.github.t2i4j.itercomp.gallery;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.schedulers.NoiseSource;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.tensor.Noise;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * The latent-diffusion sampling loop of core's {@code DiffusionPipeline}, with the noise
 * prediction left to the caller (GLIGEN's grounded UNet, RPG's regional composition): the same
 * seeded latents (item {@code i} of a batch from {@code seed + i}), scheduler calls and step
 * noise, so a generator whose prediction equals the pipeline's draws the pipeline's pixels.
 */
final class GuidedSampling {
    private GuidedSampling() {}

    /** The guided noise prediction for one denoising step. */
    @FunctionalInterface
    interface NoisePrediction {
        /**
         * @param modelInput the scaled latents [B, C, h, w] of this step
         * @param t the timestep
         * @param step the step's index, from 0
         * @return the (guided) model output [B, C, h, w]
         */
        NDArray predict(NDArray modelInput, float t, int step);
    }

    /** Runs {@code steps} denoising steps from seeded noise and decodes the latents to images. */
    static List<BufferedImage> sample(NDManager work, Scheduler scheduler, AutoencoderKL vae, int height, int width,
            int channels, long seed, int batch, int steps, NoisePrediction prediction) {
        vae.checkImageSize(height, width);
        int f = vae.latentFactor();
        NDArray latents = Noise.gaussianBatch(work, seed, new Shape(channels, height / f, width / f), batch);
        scheduler.setTimesteps(steps);
        latents = latents.mul(scheduler.initNoiseSigma());
        float[] timesteps = scheduler.timesteps();
        NoiseSource stepNoise = NoiseSource.seeded(seed ^ 0x5DEECE66DL);
        for (int i = 0; i < timesteps.length; i++) {
            float t = timesteps[i];
            int step = i;
            NDArray current = latents;
            NDArray next;
            try (NDScope scope = new NDScope()) {
                NDArray eps = prediction.predict(scheduler.scaleModelInput(current, t), t, step);
                next = scheduler.step(eps, t, current, stepNoise);
                NDScope.unregister(next);
            }
            if (next != current) {
                current.close();
            }
            latents = next;
        }
        try (NDScope scope = new NDScope()) {
            scope.suppressNotUsedWarning();
            return Images.toImages(vae.imageFromLatents(latents));
        }
    }

    /** Classifier-free guidance on a batch [uncond; cond]: {@code uncond + g (cond - uncond)}, as the pipeline computes it. */
    static NDArray guide(NDArray uncond, NDArray cond, float guidance) {
        return uncond.add(cond.sub(uncond).mul(guidance));
    }
}
