package io.github.t2i4j.core.schedulers;

import static io.github.t2i4j.core.schedulers.SchedulerSupport.exp;
import static io.github.t2i4j.core.schedulers.SchedulerSupport.log;
import static io.github.t2i4j.core.schedulers.SchedulerSupport.sqrt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;

/**
 * diffusers' {@code DPMSolverMultistepScheduler}: DPM-Solver (Lu et al. 2022) and DPM-Solver++
 * (Lu et al. 2022b), multistep, orders 1 to 3. With the defaults (dpmsolver++, solver_order 2,
 * midpoint, lower_order_final) this is "DPM++ 2M". The SDE variants ({@code sde-dpmsolver},
 * {@code sde-dpmsolver++}, orders 1 and 2) draw their noise from the {@link NoiseSource} given to
 * {@link #step}.
 *
 * <p>The scheduler keeps the converted model outputs of the previous steps; {@link #setTimesteps}
 * drops them, and so does the last step of a run. Those arrays are detached from the caller's
 * managers, so per-step managers or scopes around {@code step} are safe.
 *
 * <p>{@code final_sigmas_type} (a diffusers 0.26 key) is honoured when present; absent, the
 * schedule ends as in diffusers 0.25 (at the smallest train sigma, not at 0).
 */
public class DPMSolverMultistepScheduler extends AbstractScheduler {
    /** The {@code _class_name} of this scheduler. */
    public static final String CLASS_NAME = "DPMSolverMultistepScheduler";

    private final String algorithm;
    private final String solverType;
    private final int order;
    /** Inference sigmas followed by the final one. */
    private float[] sigmas;
    private int stepIndex = -1;
    private int lowerOrderNums;
    /** Converted outputs of the last {@code order} steps, oldest first (null where none yet). */
    private final NDArray[] modelOutputs;

    /** A scheduler from a config of any class, read as diffusers' {@code DPMSolverMultistepScheduler.from_config}. */
    public DPMSolverMultistepScheduler(SchedulerConfig config) {
        this(config.forClass(CLASS_NAME), null);
    }

    /** With a given {@code alphas_cumprod} (tests), or null to compute it from the resolved config. */
    DPMSolverMultistepScheduler(SchedulerConfig c, float[] alphasCumprod) {
        super(c, alphasCumprod != null ? alphasCumprod.clone() : NoiseSchedules.alphasCumprod(c, false, false));
        rejectThresholding(c);
        String alg = c.algorithmType();
        if ("deis".equals(alg)) {
            alg = "dpmsolver++"; // as diffusers, when built from a DEIS config
        }
        this.algorithm = SchedulerConfig.require("algorithm_type", alg,
                "dpmsolver++", "dpmsolver", "sde-dpmsolver++", "sde-dpmsolver");
        String st = c.solverType();
        if ("logrho".equals(st) || "bh1".equals(st) || "bh2".equals(st)) {
            st = "midpoint"; // as diffusers, when built from a DEIS/UniPC config
        }
        this.solverType = SchedulerConfig.require("solver_type", st, "midpoint", "heun");
        this.order = c.solverOrder();
        if (order < 1 || order > 3) {
            throw SchedulerConfig.unsupported("solver_order", order, "must be 1, 2 or 3");
        }
        if (order == 3 && algorithm.startsWith("sde-")) {
            throw SchedulerConfig.unsupported("solver_order", order, "the SDE variants have orders 1 and 2 only");
        }
        if (c.varianceType() != null) {
            throw SchedulerConfig.unsupported("variance_type", "\"" + c.varianceType() + "\"",
                    "models with learned variance are not supported by DPMSolverMultistepScheduler here");
        }
        if (c.finalSigmasType() != null) {
            SchedulerConfig.require("final_sigmas_type", c.finalSigmasType(), "zero", "sigma_min");
            if (c.finalSigmasType().equals("zero") && !algorithm.endsWith("++")) {
                throw SchedulerConfig.unsupported("final_sigmas_type", "\"zero\"",
                        "needs algorithm_type dpmsolver++ or sde-dpmsolver++; use \"sigma_min\"");
            }
        }
        if (c.useKarrasSigmas() && c.useLuLambdas()) {
            throw SchedulerConfig.unsupported("use_lu_lambdas", true, "cannot be combined with use_karras_sigmas");
        }
        this.modelOutputs = new NDArray[order];
        float[] full = NoiseSchedules.sigmas(this.alphasCumprod);
        this.sigmas = full;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        checkSteps(numInferenceSteps);
        int steps = numInferenceSteps;
        int train = config.numTrainTimesteps();
        // lambda_min_clipped: drop the noisiest train timesteps whose log-SNR is below it
        int clippedIdx = 0;
        for (int i = train - 1; i >= 0; i--) {
            float a = alphasCumprod[i];
            float lambda = log(sqrt(a)) - log(sqrt(1f - a));
            if (lambda < config.lambdaMinClipped()) {
                clippedIdx++;
            } else {
                break;
            }
        }
        int lastTimestep = train - clippedIdx;
        double[] ts;
        switch (config.timestepSpacing()) {
            case "linspace": {
                double[] l = NoiseSchedules.linspace(0, lastTimestep - 1, steps + 1);
                ts = new double[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = Math.rint(l[steps - i]);
                }
                break;
            }
            case "leading": {
                long ratio = lastTimestep / (steps + 1);
                ts = new double[steps];
                for (int i = 0; i < steps; i++) {
                    ts[i] = (steps - i) * ratio + config.stepsOffset();
                }
                break;
            }
            case "trailing": {
                double[] a = NoiseSchedules.arange(lastTimestep, 0, -((double) train / steps));
                ts = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    ts[i] = Math.rint(a[i]) - 1;
                }
                break;
            }
            default:
                throw SchedulerConfig.unsupported("timestep_spacing", config.timestepSpacing(), "unknown spacing");
        }
        float[] full = NoiseSchedules.sigmas(alphasCumprod);
        double[] logSigmas = NoiseSchedules.logs(full);
        double[] sig;
        boolean scheduleFromSigmas = config.useKarrasSigmas() || config.useLuLambdas();
        if (config.useKarrasSigmas()) {
            // diffusers reads no sigma_min/sigma_max for this class: the train range is used
            sig = NoiseSchedules.karras(full[0], full[full.length - 1], steps);
        } else if (config.useLuLambdas()) {
            double lambdaMin = logSigmas[0];
            double lambdaMax = logSigmas[logSigmas.length - 1];
            double[] ramp = NoiseSchedules.linspace(0, 1, steps);
            sig = new double[steps];
            for (int i = 0; i < steps; i++) {
                sig[i] = Math.exp(lambdaMax + ramp[i] * (lambdaMin - lambdaMax));
            }
        } else {
            sig = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                sig[i] = NoiseSchedules.interp(ts[i], full);
            }
        }
        if (scheduleFromSigmas) {
            ts = new double[sig.length];
            for (int i = 0; i < sig.length; i++) {
                ts[i] = Math.rint(NoiseSchedules.sigmaToT(sig[i], logSigmas));
            }
        }
        float sigmaLast;
        String fst = config.finalSigmasType();
        if ("zero".equals(fst)) {
            sigmaLast = 0f;
        } else if (fst == null && scheduleFromSigmas) {
            sigmaLast = (float) sig[sig.length - 1]; // diffusers 0.25 repeats the last Karras/Lu sigma
        } else {
            sigmaLast = full[0];
        }
        sigmas = new float[sig.length + 1];
        for (int i = 0; i < sig.length; i++) {
            sigmas[i] = (float) sig[i];
        }
        sigmas[sig.length] = sigmaLast;
        timesteps = new float[ts.length];
        for (int i = 0; i < ts.length; i++) {
            timesteps[i] = (long) ts[i];
        }
        this.numInferenceSteps = ts.length;
        resetState();
    }

    /** Drops the stored model outputs and the step index. */
    private void resetState() {
        closeModelOutputs();
        lowerOrderNums = 0;
        stepIndex = -1;
    }

    private void closeModelOutputs() {
        for (int i = 0; i < modelOutputs.length; i++) {
            if (modelOutputs[i] != null) {
                modelOutputs[i].close();
                modelOutputs[i] = null;
            }
        }
    }

    /** The sigmas of the current schedule, followed by the final one (a copy). */
    public float[] sigmas() {
        return sigmas.clone();
    }

    /**
     * The schedule index of timestep {@code t}, as diffusers' {@code index_for_timestep}: its
     * second occurrence if it has two, else its first, else the last index.
     */
    private int indexOfTimestep(float t) {
        int first = -1;
        for (int i = 0; i < timesteps.length; i++) {
            if (timesteps[i] == t) {
                if (first >= 0) {
                    return i;
                }
                first = i;
            }
        }
        return first >= 0 ? first : timesteps.length - 1;
    }

    /**
     * The VP coefficients of {@code x_t = alpha_t x_0 + sigma_t eps} at one schedule sigma, and
     * the half log-SNR {@code lambda_t = log alpha_t - log sigma_t} (float32, as diffusers).
     */
    private record AlphaSigma(float alpha, float sigma) {
        static AlphaSigma of(float sigma) {
            float alpha = 1f / sqrt(sigma * sigma + 1f);
            return new AlphaSigma(alpha, sigma * alpha);
        }

        float lambda() {
            return log(alpha) - log(sigma);
        }
    }

    /** {@link AlphaSigma} at schedule index {@code i}. */
    private AlphaSigma at(int i) {
        return AlphaSigma.of(sigmas[i]);
    }

    @Override
    public NDArray step(NDArray modelOutput, float t, NDArray sample, NoiseSource noise) {
        requireTimesteps();
        if (stepIndex < 0) {
            stepIndex = indexOfTimestep(t);
        }
        int n = timesteps.length;
        if (stepIndex >= n) {
            throw new IllegalStateException("DPMSolverMultistepScheduler: all " + n
                    + " steps are done; call setTimesteps for a new run");
        }
        boolean lowerOrderFinal = stepIndex == n - 1
                && (config.eulerAtFinal() || (config.lowerOrderFinal() && n < 15)
                        || "zero".equals(config.finalSigmasType()));
        boolean lowerOrderSecond = stepIndex == n - 2 && config.lowerOrderFinal() && n < 15;

        NDArray prev;
        try (NDScope scope = new NDScope()) {
            NDArray converted = convertModelOutput(modelOutput, sample);
            if (converted == modelOutput) {
                converted = modelOutput.duplicate();
            }
            NDScope.unregister(converted);
            converted.detach();
            if (modelOutputs[0] != null) {
                modelOutputs[0].close();
            }
            System.arraycopy(modelOutputs, 1, modelOutputs, 0, order - 1);
            modelOutputs[order - 1] = converted;

            NDArray z = algorithm.startsWith("sde-") ? requireNoise(noise, modelOutput, "sde DPM-Solver") : null;
            if (order == 1 || lowerOrderNums < 1 || lowerOrderFinal) {
                prev = firstOrderUpdate(converted, sample, z);
            } else if (order == 2 || lowerOrderNums < 2 || lowerOrderSecond) {
                prev = secondOrderUpdate(sample, z);
            } else {
                prev = thirdOrderUpdate(sample);
            }
            NDScope.unregister(prev);
        }
        NDScope.register(prev);
        if (lowerOrderNums < order) {
            lowerOrderNums++;
        }
        stepIndex++;
        if (stepIndex == n) {
            // the run is over: free the stored outputs now rather than at the next setTimesteps
            closeModelOutputs();
        }
        return prev;
    }

    /** The data prediction x0 (DPM-Solver++) or the noise prediction (DPM-Solver) from the model output. */
    private NDArray convertModelOutput(NDArray modelOutput, NDArray sample) {
        AlphaSigma s = at(stepIndex);
        float alphaT = s.alpha();
        float sigmaT = s.sigma();
        String p = config.predictionType();
        if (algorithm.endsWith("++")) {
            switch (p) {
                case "epsilon":
                    return sample.sub(modelOutput.mul(sigmaT)).div(alphaT);
                case "sample":
                    return modelOutput;
                case "v_prediction":
                    return sample.mul(alphaT).sub(modelOutput.mul(sigmaT));
                default:
                    throw new IllegalStateException(p);
            }
        }
        switch (p) {
            case "epsilon":
                return modelOutput;
            case "sample":
                return sample.sub(modelOutput.mul(alphaT)).div(sigmaT);
            case "v_prediction":
                return modelOutput.mul(alphaT).add(sample.mul(sigmaT));
            default:
                throw new IllegalStateException(p);
        }
    }

    private NDArray firstOrderUpdate(NDArray m, NDArray sample, NDArray noise) {
        AlphaSigma t = at(stepIndex + 1);
        AlphaSigma s = at(stepIndex);
        float alphaT = t.alpha();
        float sigmaT = t.sigma();
        float alphaS = s.alpha();
        float sigmaS = s.sigma();
        float h = t.lambda() - s.lambda();
        switch (algorithm) {
            case "dpmsolver++":
                return sample.mul(sigmaT / sigmaS).sub(m.mul(alphaT * (exp(-h) - 1f)));
            case "dpmsolver":
                return sample.mul(alphaT / alphaS).sub(m.mul(sigmaT * (exp(h) - 1f)));
            case "sde-dpmsolver++":
                return sample.mul(sigmaT / sigmaS * exp(-h))
                        .add(m.mul(alphaT * (1f - exp(-2f * h))))
                        .add(noise.mul(sigmaT * sqrt(1f - exp(-2f * h))));
            case "sde-dpmsolver":
                return sample.mul(alphaT / alphaS)
                        .sub(m.mul(2f * (sigmaT * (exp(h) - 1f))))
                        .add(noise.mul(sigmaT * sqrt(exp(2f * h) - 1f)));
            default:
                throw new IllegalStateException(algorithm);
        }
    }

    private NDArray secondOrderUpdate(NDArray sample, NDArray noise) {
        AlphaSigma t = at(stepIndex + 1);
        AlphaSigma s0 = at(stepIndex);
        AlphaSigma s1 = at(stepIndex - 1);
        float alphaT = t.alpha();
        float sigmaT = t.sigma();
        float alphaS0 = s0.alpha();
        float sigmaS0 = s0.sigma();
        NDArray m0 = modelOutputs[order - 1];
        NDArray m1 = modelOutputs[order - 2];
        float h = t.lambda() - s0.lambda();
        float h0 = s0.lambda() - s1.lambda();
        float r0 = h0 / h;
        NDArray d0 = m0;
        NDArray d1 = m0.sub(m1).mul(1f / r0);
        boolean midpoint = solverType.equals("midpoint");
        switch (algorithm) {
            case "dpmsolver++": {
                float e = exp(-h) - 1f;
                NDArray x = sample.mul(sigmaT / sigmaS0).sub(d0.mul(alphaT * e));
                return midpoint
                        ? x.sub(d1.mul(0.5f * (alphaT * e)))
                        : x.add(d1.mul(alphaT * (e / h + 1f)));
            }
            case "dpmsolver": {
                float e = exp(h) - 1f;
                NDArray x = sample.mul(alphaT / alphaS0).sub(d0.mul(sigmaT * e));
                return midpoint
                        ? x.sub(d1.mul(0.5f * (sigmaT * e)))
                        : x.sub(d1.mul(sigmaT * (e / h - 1f)));
            }
            case "sde-dpmsolver++": {
                float e2 = 1f - exp(-2f * h);
                NDArray x = sample.mul(sigmaT / sigmaS0 * exp(-h)).add(d0.mul(alphaT * e2));
                x = midpoint
                        ? x.add(d1.mul(0.5f * (alphaT * e2)))
                        : x.add(d1.mul(alphaT * (e2 / (-2f * h) + 1f)));
                return x.add(noise.mul(sigmaT * sqrt(1f - exp(-2f * h))));
            }
            case "sde-dpmsolver": {
                float e = exp(h) - 1f;
                NDArray x = sample.mul(alphaT / alphaS0).sub(d0.mul(2f * (sigmaT * e)));
                x = midpoint
                        ? x.sub(d1.mul(sigmaT * e))
                        : x.sub(d1.mul(2f * (sigmaT * (e / h - 1f))));
                return x.add(noise.mul(sigmaT * sqrt(exp(2f * h) - 1f)));
            }
            default:
                throw new IllegalStateException(algorithm);
        }
    }

    private NDArray thirdOrderUpdate(NDArray sample) {
        AlphaSigma t = at(stepIndex + 1);
        AlphaSigma s0 = at(stepIndex);
        AlphaSigma s1 = at(stepIndex - 1);
        AlphaSigma s2 = at(stepIndex - 2);
        float alphaT = t.alpha();
        float sigmaT = t.sigma();
        float alphaS0 = s0.alpha();
        float sigmaS0 = s0.sigma();
        NDArray m0 = modelOutputs[2];
        NDArray m1 = modelOutputs[1];
        NDArray m2 = modelOutputs[0];
        float h = t.lambda() - s0.lambda();
        float h0 = s0.lambda() - s1.lambda();
        float h1 = s1.lambda() - s2.lambda();
        float r0 = h0 / h;
        float r1 = h1 / h;
        NDArray d10 = m0.sub(m1).mul(1f / r0);
        NDArray d11 = m1.sub(m2).mul(1f / r1);
        NDArray d1 = d10.add(d10.sub(d11).mul(r0 / (r0 + r1)));
        NDArray d2 = d10.sub(d11).mul(1f / (r0 + r1));
        if (algorithm.equals("dpmsolver++")) {
            float e = exp(-h) - 1f;
            return sample.mul(sigmaT / sigmaS0)
                    .sub(m0.mul(alphaT * e))
                    .add(d1.mul(alphaT * (e / h + 1f)))
                    .sub(d2.mul(alphaT * ((exp(-h) - 1f + h) / (h * h) - 0.5f)));
        }
        float e = exp(h) - 1f;
        return sample.mul(alphaT / alphaS0)
                .sub(m0.mul(sigmaT * e))
                .sub(d1.mul(sigmaT * (e / h - 1f)))
                .sub(d2.mul(sigmaT * ((exp(h) - 1f - h) / (h * h) - 0.5f)));
    }

    /**
     * The noisy sample {@code alpha_t * original + sigma_t * noise} at inference timesteps
     * (diffusers' DPM-Solver {@code add_noise}; a timestep not in the schedule takes the last sigma).
     */
    @Override
    public NDArray addNoise(NDArray original, NDArray noise, NDArray timesteps) {
        double[] t = SchedulerSupport.doubleTimesteps(timesteps);
        float[] a = new float[t.length];
        float[] s = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            AlphaSigma as = at(indexOfTimestep((float) t[i]));
            a[i] = as.alpha();
            s[i] = as.sigma();
        }
        return SchedulerSupport.scoped(() -> SchedulerSupport.column(a, original).mul(original)
                .add(SchedulerSupport.column(s, original).mul(noise)), original, noise, timesteps);
    }
}
