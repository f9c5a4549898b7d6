package io.github.t2i4j.core.schedulers;

import ai.djl.ndarray.NDArray;

/** What every scheduler holds: its resolved config, {@code alphas_cumprod} and timesteps. */
abstract class AbstractScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final float[] alphasCumprod;
    /** Inference timesteps (train timesteps, descending, before {@link #setTimesteps}). */
    protected float[] timesteps;
    /** 0 until {@link #setTimesteps} is called. */
    protected int numInferenceSteps;

    protected AbstractScheduler(SchedulerConfig config, float[] alphasCumprod) {
        this.config = config;
        this.alphasCumprod = alphasCumprod;
        int n = config.numTrainTimesteps();
        this.timesteps = new float[n];
        for (int i = 0; i < n; i++) {
            timesteps[i] = n - 1 - i;
        }
    }

    /** Rejects thresholding, which these schedulers do not implement. */
    protected static void rejectThresholding(SchedulerConfig c) {
        if (c.thresholding()) {
            throw SchedulerConfig.unsupported("thresholding", true,
                    "dynamic thresholding is not implemented (it is unsuitable for latent diffusion)");
        }
    }

    protected void checkSteps(int numInferenceSteps) {
        if (numInferenceSteps < 1 || numInferenceSteps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("num_inference_steps " + numInferenceSteps
                    + " must be in [1, num_train_timesteps = " + config.numTrainTimesteps() + "]");
        }
    }

    @Override
    public SchedulerConfig config() {
        return config;
    }

    @Override
    public float[] timesteps() {
        return timesteps.clone();
    }

    /** The number of inference steps set by {@link #setTimesteps}, or 0. */
    public int numInferenceSteps() {
        return numInferenceSteps;
    }

    @Override
    public float[] alphasCumprod() {
        return alphasCumprod.clone();
    }

    /** Train timestep {@code t} as an index, rejecting fractional or out-of-range values. */
    protected int trainIndex(float t) {
        int i = (int) t;
        if (i != t || i < 0 || i >= alphasCumprod.length) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": timestep " + t
                    + " is not an integer train timestep in [0, " + alphasCumprod.length + ")");
        }
        return i;
    }

    protected static NDArray requireNoise(NoiseSource noise, NDArray like, String who) {
        if (noise == null) {
            throw new IllegalStateException(who + " is stochastic: pass a NoiseSource to step()");
        }
        return noise.randn(like.getManager(), like.getShape(), like.getDataType());
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + config.toJson();
    }
}
