package io.github.t2i4j.core.schedulers;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * The numerics shared by the schedulers, reproducing diffusers bit for bit where it matters.
 *
 * <p>Betas and {@code alphas_cumprod} are torch float32 computations in diffusers; they run here
 * on the (PyTorch) engine on the CPU once per scheduler, so {@code torch.linspace} (whose
 * vectorised kernel rounds differently from the textbook formula) and {@code torch.cumprod}
 * (which accumulates in double on the CPU) give the same floats. The numpy float64 parts
 * ({@code np.linspace}, {@code np.arange}, {@code np.interp}, {@code round}) are written out in Java
 * double with numpy's exact formulas and round-half-to-even.
 */
final class NoiseSchedules {
    private NoiseSchedules() {}

    /**
     * {@code alphas_cumprod} of a config, as the diffusers constructors compute it.
     *
     * @param allowSigmoid whether the class knows the "sigmoid" beta schedule (DDPM only)
     * @param rescaleZeroSnr whether to apply {@code rescale_zero_terminal_snr}
     */
    static float[] alphasCumprod(SchedulerConfig c, boolean allowSigmoid, boolean rescaleZeroSnr) {
        int n = c.numTrainTimesteps();
        try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
            NDArray betas;
            double[] trained = c.trainedBetas();
            if (trained != null) {
                float[] b = new float[trained.length];
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) trained[i];
                }
                betas = HostArrays.owned(m.create(b));
            } else {
                switch (c.betaSchedule()) {
                    case "linear":
                        betas = m.linspace((float) c.betaStart(), (float) c.betaEnd(), n);
                        break;
                    case "scaled_linear": {
                        NDArray r = m.linspace(
                                (float) Math.sqrt(c.betaStart()), (float) Math.sqrt(c.betaEnd()), n);
                        betas = r.mul(r);
                        break;
                    }
                    case "squaredcos_cap_v2":
                        betas = HostArrays.owned(m.create(betasForAlphaBarCosine(n)));
                        break;
                    case "sigmoid":
                        if (!allowSigmoid) {
                            throw SchedulerConfig.unsupported("beta_schedule", "\"sigmoid\"",
                                    "only DDPMScheduler implements it");
                        }
                        betas = m.linspace(-6f, 6f, n).getNDArrayInternal().sigmoid()
                                .mul((float) (c.betaEnd() - c.betaStart()))
                                .add((float) c.betaStart());
                        break;
                    default:
                        throw SchedulerConfig.unsupported("beta_schedule", c.betaSchedule(), "unknown schedule");
                }
            }
            if (rescaleZeroSnr) {
                betas = HostArrays.owned(m.create(rescaleZeroTerminalSnr(cumprod(m, betas))));
            }
            return cumprod(m, betas);
        }
    }

    private static float[] cumprod(NDManager m, NDArray betas) {
        return betas.neg().add(1f).cumProd(0).toFloatArray();
    }

    /** diffusers' {@code betas_for_alpha_bar} with the cosine transform (Python doubles, then float32). */
    private static float[] betasForAlphaBarCosine(int n) {
        float[] b = new float[n];
        for (int i = 0; i < n; i++) {
            double t1 = (double) i / n;
            double t2 = (double) (i + 1) / n;
            b[i] = (float) Math.min(1 - alphaBar(t2) / alphaBar(t1), 0.999);
        }
        return b;
    }

    private static double alphaBar(double t) {
        double c = Math.cos((t + 0.008) / 1.008 * Math.PI / 2);
        return c * c;
    }

    /**
     * diffusers' {@code rescale_zero_terminal_snr} (float32 elementwise, so Java floats reproduce
     * torch exactly), returning the new betas.
     */
    private static float[] rescaleZeroTerminalSnr(float[] alphasCumprod) {
        int n = alphasCumprod.length;
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = (float) Math.sqrt(alphasCumprod[i]);
        }
        float s0 = s[0];
        float sT = s[n - 1];
        float scale = s0 / (s0 - sT);
        float[] bar = new float[n];
        for (int i = 0; i < n; i++) {
            float v = (s[i] - sT) * scale;
            bar[i] = v * v;
        }
        float[] betas = new float[n];
        betas[0] = 1f - bar[0];
        for (int i = 1; i < n; i++) {
            betas[i] = 1f - bar[i] / bar[i - 1];
        }
        return betas;
    }

    /** {@code ((1 - ac) / ac) ** 0.5} in float32, indexed by train timestep. */
    static float[] sigmas(float[] alphasCumprod) {
        float[] s = new float[alphasCumprod.length];
        for (int i = 0; i < s.length; i++) {
            float a = alphasCumprod[i];
            s[i] = (float) Math.sqrt((1f - a) / a);
        }
        return s;
    }

    // ---- numpy ------------------------------------------------------------------------------

    /** {@code np.linspace(start, stop, num)} in float64. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        int div = num - 1;
        double step = (stop - start) / div;
        for (int i = 0; i < num; i++) {
            y[i] = step == 0 ? i / (double) div * (stop - start) + start : i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /** {@code np.arange(start, stop, step)} in float64 (numpy fills {@code start + i * delta}). */
    static double[] arange(double start, double stop, double step) {
        long len = (long) Math.ceil((stop - start) / step);
        if (len <= 0) {
            return new double[0];
        }
        double[] y = new double[(int) len];
        y[0] = start;
        if (len > 1) {
            double delta = (start + step) - start;
            for (int i = 1; i < len; i++) {
                y[i] = start + i * delta;
            }
        }
        return y;
    }

    /** {@code np.interp(x, np.arange(len(fp)), fp)} in float64. */
    static double interp(double x, float[] fp) {
        int n = fp.length;
        if (Double.isNaN(x)) {
            return x;
        }
        if (x <= 0) {
            return fp[0];
        }
        if (x >= n - 1) {
            return fp[n - 1];
        }
        int j = (int) Math.floor(x);
        if (x == j) {
            return fp[j];
        }
        double slope = ((double) fp[j + 1] - fp[j]) / 1.0;
        return slope * (x - j) + fp[j];
    }

    /** Karras et al. (2022) sigmas, rho = 7, as diffusers' {@code _convert_to_karras} (float64). */
    static double[] karras(double sigmaMin, double sigmaMax, int num) {
        double rho = 7.0;
        double[] ramp = linspace(0, 1, num);
        double minInv = Math.pow(sigmaMin, 1 / rho);
        double maxInv = Math.pow(sigmaMax, 1 / rho);
        double[] s = new double[num];
        for (int i = 0; i < num; i++) {
            s[i] = Math.pow(maxInv + ramp[i] * (minInv - maxInv), rho);
        }
        return s;
    }

    /** diffusers' {@code _sigma_to_t}: the fractional train timestep of a sigma, by log-linear lookup. */
    static double sigmaToT(double sigma, double[] logSigmas) {
        double logSigma = Math.log(Math.max(sigma, 1e-10));
        int n = logSigmas.length;
        int low = 0;
        for (int i = 0; i < n; i++) {
            if (logSigma - logSigmas[i] >= 0) {
                low = i; // argmax of the cumulative count: the last index with dist >= 0
            }
        }
        low = Math.min(low, n - 2);
        int high = low + 1;
        double lo = logSigmas[low];
        double hi = logSigmas[high];
        double w = (lo - logSigma) / (lo - hi);
        w = Math.max(0, Math.min(1, w));
        return (1 - w) * low + w * high;
    }

    /** {@code np.log} of float32 sigmas, kept in double. */
    static double[] logs(float[] sigmas) {
        double[] l = new double[sigmas.length];
        for (int i = 0; i < l.length; i++) {
            l[i] = (float) Math.log(sigmas[i]);
        }
        return l;
    }

    /**
     * Integer timesteps of DDPM/DDIM ({@code set_timesteps}): "linspace", "leading" (plus
     * {@code steps_offset}) or "trailing" spacing, in descending order.
     */
    static long[] discreteTimesteps(SchedulerConfig c, int steps) {
        int train = c.numTrainTimesteps();
        long[] t = new long[steps];
        switch (c.timestepSpacing()) {
            case "linspace": {
                double[] l = linspace(0, train - 1, steps);
                for (int i = 0; i < steps; i++) {
                    t[i] = (long) Math.rint(l[steps - 1 - i]);
                }
                break;
            }
            case "leading": {
                long ratio = train / steps;
                for (int i = 0; i < steps; i++) {
                    t[i] = (steps - 1 - i) * ratio + c.stepsOffset();
                }
                break;
            }
            case "trailing": {
                double[] a = arange(train, 0, -((double) train / steps));
                t = new long[a.length];
                for (int i = 0; i < a.length; i++) {
                    t[i] = (long) Math.rint(a[i]) - 1;
                }
                break;
            }
            default:
                throw SchedulerConfig.unsupported("timestep_spacing", c.timestepSpacing(), "unknown spacing");
        }
        return t;
    }
}
