package io.github.t2i4j.core.schedulers;

import ai.djl.ndarray.NDArray;

/**
 * A diffusion noise scheduler in the k-diffusion spirit: a list of timesteps, the scaling of the
 * model input, and one denoising step from the model output. Implementations follow diffusers
 * 0.25 numerically, so a sampling loop
 *
 * <pre>{@code
 * scheduler.setTimesteps(steps);
 * NDArray x = noise.mul(scheduler.initNoiseSigma());
 * for (float t : scheduler.timesteps()) {
 *     NDArray eps = unet.forward(scheduler.scaleModelInput(x, t), t, ...);
 *     x = scheduler.step(eps, t, x, generator);
 * }
 * }</pre>
 *
 * gives diffusers' latents. Timesteps are floats because Euler's are fractional under "linspace"
 * spacing (the UNet takes them as they are); the integer timesteps of the other schedulers are
 * exact in float. Per-step scalars are Java floats; new arrays live on the sample's manager.
 * Schedulers that keep state between steps (the step index, DPM-Solver's previous outputs) reset
 * it in {@link #setTimesteps}; one scheduler instance serves one sampling loop at a time.
 */
public interface Scheduler {

    /** The configuration this scheduler was built from (resolved for its class). */
    SchedulerConfig config();

    /** The number of diffusion steps the model was trained with ({@code num_train_timesteps}). */
    default int numTrainTimesteps() {
        return config().numTrainTimesteps();
    }

    /** Sets the inference timesteps and resets any state kept between steps. */
    void setTimesteps(int numInferenceSteps);

    /** The inference timesteps in sampling order (a copy); the train timesteps before {@link #setTimesteps}. */
    float[] timesteps();

    /** The standard deviation of the initial noise: the latents start as {@code randn * initNoiseSigma()}. */
    float initNoiseSigma();

    /** The model input for timestep {@code t} (Euler divides by {@code sqrt(sigma^2 + 1)}; others return it as is). */
    NDArray scaleModelInput(NDArray sample, float t);

    /**
     * One denoising step: the sample at the previous timestep, from the model output at {@code t}.
     *
     * @param noise the random source for stochastic steps (DDPM, DDIM with eta &gt; 0, SDE DPM-Solver);
     *     may be null for deterministic ones
     */
    NDArray step(NDArray modelOutput, float t, NDArray sample, NoiseSource noise);

    /** A deterministic step; stochastic schedulers throw {@link IllegalStateException}. */
    default NDArray step(NDArray modelOutput, float t, NDArray sample) {
        return step(modelOutput, t, sample, null);
    }

    /**
     * The forward diffusion {@code q(x_t | x_0)} for a batch: {@code original} [B, ...] noised with
     * {@code noise} at the per-sample {@code timesteps} [B] (training, img2img).
     */
    NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps);

    /** {@code alphas_cumprod} over the train timesteps (a copy). */
    float[] alphasCumprod();

    /**
     * The v-prediction training target {@code sqrt(ac_t) * noise - sqrt(1 - ac_t) * sample}
     * (diffusers' {@code get_velocity}) for per-sample train {@code timesteps} [B].
     */
    default NDArray velocity(NDArray sample, NDArray noise, NDArray timesteps) {
        return SchedulerSupport.velocity(alphasCumprod(), sample, noise, timesteps);
    }
}
