package io.github.t2i4j.core.schedulers;

import static io.github.t2i4j.core.schedulers.SchedulerSupport.sqrt;

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

    /**
     * Sets diffusers' integer inference timesteps (the config's {@code timestep_spacing} over the
     * train timesteps), as DDPM and DDIM use them.
     */
    protected final void setDiscreteTimesteps(int numInferenceSteps) {
        checkSteps(numInferenceSteps);
        long[] t = NoiseSchedules.discreteTimesteps(config, numInferenceSteps);
        timesteps = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            timesteps[i] = t[i];
        }
        this.numInferenceSteps = numInferenceSteps;
    }

    /** Throws unless {@link #setTimesteps} has been called (for schedulers whose step needs it). */
    protected void requireTimesteps() {
        if (numInferenceSteps == 0) {
            throw new IllegalStateException(getClass().getSimpleName() + ": call setTimesteps before step");
        }
    }

    protected void checkSteps(int numInferenceSteps) {
        if (numInferenceSteps < 1 || numInferenceSteps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("num_inference_steps " + numInferenceSteps
                    + " must be in [1, num_train_timesteps = " + config.numTrainTimesteps() + "]");
        }
    }

    /** 1: the variance-preserving schedulers start from unit noise (Euler overrides this). */
    @Override
    public float initNoiseSigma() {
        return 1f;
    }

    /** The sample as is: only Euler scales the model input. */
    @Override
    public NDArray scaleModelInput(NDArray sample, float t) {
        return sample;
    }

    /**
     * The DDPM forward process {@code sqrt(ac_t) * original + sqrt(1 - ac_t) * noise} at train
     * timesteps (the sigma-based schedulers override this with diffusers' own versions).
     */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        return SchedulerSupport.addNoise(alphasCumprod, original, noise, timesteps);
    }

    /**
     * The predicted clean sample x0 from the model output at {@code alphas_cumprod = acT}, as the
     * config's {@code prediction_type} reads it (before {@link #clipSample}).
     */
    protected final NDArray predictOriginal(NDArray modelOutput, NDArray sample, float acT) {
        float betaProdT = 1f - acT;
        switch (config.predictionType()) {
            case "epsilon":
                return sample.sub(modelOutput.mul(sqrt(betaProdT))).div(sqrt(acT));
            case "sample":
                return modelOutput;
            case "v_prediction":
                return sample.mul(sqrt(acT)).sub(modelOutput.mul(sqrt(betaProdT)));
            default:
                throw new IllegalStateException(config.predictionType());
        }
    }

    /** x0 clamped to {@code [-clip_sample_range, clip_sample_range]} when {@code clip_sample} is set. */
    protected final NDArray clipSample(NDArray predOriginal) {
        if (!config.clipSample()) {
            return predOriginal;
        }
        float r = (float) config.clipSampleRange();
        return predOriginal.clip(-r, r);
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
