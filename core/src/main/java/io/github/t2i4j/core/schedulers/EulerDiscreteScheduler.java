package io.github.t2i4j.core.schedulers;

import static io.github.t2i4j.core.schedulers.SchedulerSupport.sqrt;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;

/**
 * diffusers' {@code EulerDiscreteScheduler}: Euler's method on the probability-flow ODE in the
 * sigma parametrisation (Karras et al. 2022, Algorithm 2 without churn). The sigmas are
 * interpolated from the train schedule at the (possibly fractional) timesteps, or Karras sigmas
 * when {@code use_karras_sigmas}. The latents start at {@code initNoiseSigma()}: max(sigma) for
 * "linspace"/"trailing" spacing, {@code sqrt(max^2 + 1)} for "leading". Keeps a step index,
 * reset by {@link #setTimesteps}.
 */
public class EulerDiscreteScheduler extends AbstractScheduler {
    /** The {@code _class_name} of this scheduler. */
    public static final String CLASS_NAME = "EulerDiscreteScheduler";

    /** Inference sigmas followed by 0. */
    private float[] sigmas;
    private int stepIndex = -1;

    /** A scheduler from a config of any class, read as diffusers' {@code EulerDiscreteScheduler.from_config}. */
    public EulerDiscreteScheduler(SchedulerConfig config) {
        this(config.forClass(CLASS_NAME), null);
    }

    /** With a given {@code alphas_cumprod} (tests), or null to compute it from the resolved config. */
    EulerDiscreteScheduler(SchedulerConfig c, float[] alphasCumprod) {
        super(c, alphasCumprod != null ? alphasCumprod.clone()
                : zeroSnrAdjusted(c, NoiseSchedules.alphasCumprod(c, false, c.rescaleBetasZeroSnr())));
        SchedulerConfig.require("interpolation_type", c.interpolationType(), "linear", "log_linear");
        SchedulerConfig.require("timestep_type", c.timestepType(), "discrete", "continuous");
        float[] full = NoiseSchedules.sigmas(this.alphasCumprod);
        int n = full.length;
        sigmas = new float[n + 1];
        for (int i = 0; i < n; i++) {
            sigmas[i] = full[n - 1 - i];
        }
        if (continuousTimesteps()) {
            timesteps = new float[n];
            for (int i = 0; i < n; i++) {
                timesteps[i] = 0.25f * SchedulerSupport.log(sigmas[i]);
            }
        }
    }

    private static float[] zeroSnrAdjusted(SchedulerConfig c, float[] ac) {
        if (c.rescaleBetasZeroSnr()) {
            ac[ac.length - 1] = 0x1p-24f; // diffusers: alphas_cumprod[-1] = 2**-24 so sigma stays finite
        }
        return ac;
    }

    private boolean continuousTimesteps() {
        return config.timestepType().equals("continuous") && config.predictionType().equals("v_prediction");
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        if (numInferenceSteps < 1) {
            throw new IllegalArgumentException("num_inference_steps must be positive, got " + numInferenceSteps);
        }
        int train = config.numTrainTimesteps();
        int steps = numInferenceSteps;
        double[] ts; // float32 values, kept in double as numpy passes them to np.interp
        switch (config.timestepSpacing()) {
            case "linspace": {
                double[] l = NoiseSchedules.linspace(0, train - 1, steps);
                ts = new double[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = (float) l[steps - 1 - i];
                }
                break;
            }
            case "leading": {
                long ratio = train / steps;
                ts = new double[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = (float) ((steps - 1 - i) * ratio) + (float) config.stepsOffset();
                }
                break;
            }
            case "trailing": {
                double[] a = NoiseSchedules.arange(train, 0, -((double) train / steps));
                ts = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    ts[i] = (float) Math.rint(a[i]) - 1f;
                }
                break;
            }
            default:
                throw SchedulerConfig.unsupported("timestep_spacing", config.timestepSpacing(), "unknown spacing");
        }
        float[] full = NoiseSchedules.sigmas(alphasCumprod);
        double[] sig;
        if (config.interpolationType().equals("linear")) {
            sig = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                sig[i] = NoiseSchedules.interp(ts[i], full);
            }
        } else {
            // log_linear: torch.linspace(log(sigma_max), log(sigma_min), steps + 1).exp(), float32
            float lo = (float) Math.log(full[full.length - 1]);
            float hi = (float) Math.log(full[0]);
            try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
                float[] f = m.linspace(lo, hi, steps + 1).exp().toFloatArray();
                sig = new double[f.length];
                for (int i = 0; i < f.length; i++) {
                    sig[i] = f[i];
                }
            }
        }
        if (config.useKarrasSigmas()) {
            double sigmaMin = config.sigmaMin() != null ? config.sigmaMin() : sig[sig.length - 1];
            double sigmaMax = config.sigmaMax() != null ? config.sigmaMax() : sig[0];
            sig = NoiseSchedules.karras(sigmaMin, sigmaMax, steps);
            double[] logSigmas = NoiseSchedules.logs(full);
            ts = new double[sig.length];
            for (int i = 0; i < sig.length; i++) {
                ts[i] = NoiseSchedules.sigmaToT(sig[i], logSigmas);
            }
        }
        sigmas = new float[sig.length + 1];
        for (int i = 0; i < sig.length; i++) {
            sigmas[i] = (float) sig[i];
        }
        if (continuousTimesteps()) {
            timesteps = new float[sig.length];
            for (int i = 0; i < sig.length; i++) {
                timesteps[i] = 0.25f * SchedulerSupport.log(sigmas[i]);
            }
        } else {
            timesteps = new float[ts.length];
            for (int i = 0; i < ts.length; i++) {
                timesteps[i] = (float) ts[i];
            }
        }
        this.numInferenceSteps = steps;
        stepIndex = -1;
    }

    /** The sigmas of the current schedule, followed by the final 0 (a copy). */
    public float[] sigmas() {
        return sigmas.clone();
    }

    @Override
    public float initNoiseSigma() {
        float max = 0;
        for (float s : sigmas) {
            max = Math.max(max, s);
        }
        String spacing = config.timestepSpacing();
        if (spacing.equals("linspace") || spacing.equals("trailing")) {
            return max;
        }
        return sqrt(max * max + 1f);
    }

    private void initStepIndex(float t) {
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == t) {
                if (first >= 0) {
                    stepIndex = i; // diffusers takes the second match, so img2img does not skip a sigma
                    return;
                }
                first = i;
            }
        }
        if (first < 0) {
            throw new IllegalArgumentException("EulerDiscreteScheduler: timestep " + t
                    + " is not one of the scheduler's timesteps; pass a value from timesteps()");
        }
        stepIndex = first;
    }

    @Override
    public NDArray scaleModelInput(NDArray sample, float t) {
        if (stepIndex < 0) {
            initStepIndex(t);
        }
        float sigma = sigmas[stepIndex];
        return sample.div(sqrt(sigma * sigma + 1f));
    }

    @Override
    public NDArray step(NDArray modelOutput, float t, NDArray sample, NoiseSource noise) {
        if (stepIndex < 0) {
            initStepIndex(t);
        }
        if (stepIndex >= timesteps.length) {
            throw new IllegalStateException("EulerDiscreteScheduler: all " + timesteps.length
                    + " steps are done; call setTimesteps for a new run");
        }
        float sigma = sigmas[stepIndex];
        float sigmaNext = sigmas[stepIndex + 1];
        NDArray result = SchedulerSupport.scoped(() -> {
            NDArray x = sample.toType(DataType.FLOAT32, false);
            float sigmaHat = sigma * (0f + 1f); // no churn: gamma = 0
            NDArray predOriginal;
            switch (config.predictionType()) {
                case "epsilon":
                    predOriginal = x.sub(modelOutput.mul(sigmaHat));
                    break;
                case "v_prediction": {
                    float c = -sigma / sqrt(sigma * sigma + 1f);
                    predOriginal = modelOutput.mul(c).add(x.div(sigma * sigma + 1f));
                    break;
                }
                case "sample":
                    predOriginal = modelOutput;
                    break;
                default:
                    throw new IllegalStateException(config.predictionType());
            }
            NDArray derivative = x.sub(predOriginal).div(sigmaHat);
            float dt = sigmaNext - sigmaHat;
            NDArray prev = x.add(derivative.mul(dt));
            return prev.toType(modelOutput.getDataType(), false);
        }, modelOutput, sample);
        stepIndex++;
        return result;
    }

    /** The noisy sample {@code original + sigma * noise} at inference timesteps (diffusers' Euler {@code add_noise}, img2img). */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        double[] t = SchedulerSupport.doubleTimesteps(timesteps);
        float[] s = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            int idx = -1;
            for (int j = 0; j < this.timesteps.length; j++) {
                if (this.timesteps[j] == (float) t[i]) {
                    if (idx >= 0) {
                        throw new IllegalArgumentException("timestep " + t[i] + " occurs twice in the schedule");
                    }
                    idx = j;
                }
            }
            if (idx < 0) {
                throw new IllegalArgumentException("timestep " + t[i] + " is not one of the scheduler's timesteps");
            }
            s[i] = sigmas[idx];
        }
        return SchedulerSupport.scoped(
                () -> original.add(noise.mul(SchedulerSupport.column(s, original))), original, noise, timesteps);
    }
}
