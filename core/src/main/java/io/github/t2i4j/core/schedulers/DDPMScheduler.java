package io.github.t2i4j.core.schedulers;

import static io.github.t2i4j.core.schedulers.SchedulerSupport.sqrt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;

/**
 * diffusers' {@code DDPMScheduler}: ancestral sampling of Ho et al. (2020), and the forward
 * process {@link #addNoise} that training uses. The step is stochastic (the variance noise comes
 * from the {@link NoiseSource} passed to {@link #step}), with the {@code variance_type} of the
 * config: fixed_small (default), fixed_small_log, fixed_large, learned or learned_range (the last
 * two read the variance from a model output with twice the sample's channels).
 */
public class DDPMScheduler extends AbstractScheduler {
    /** The {@code _class_name} of this scheduler. */
    public static final String CLASS_NAME = "DDPMScheduler";

    private final String varianceType;

    /** A scheduler from a config of any class, read as diffusers' {@code DDPMScheduler.from_config}. */
    public DDPMScheduler(SchedulerConfig config) {
        this(config.forClass(CLASS_NAME), null);
    }

    /** With a given {@code alphas_cumprod} (tests), or null to compute it from the resolved config. */
    DDPMScheduler(SchedulerConfig c, float[] alphasCumprod) {
        super(c, alphasCumprod != null ? alphasCumprod.clone()
                : NoiseSchedules.alphasCumprod(c, true, c.rescaleBetasZeroSnr()));
        rejectThresholding(c);
        this.varianceType = SchedulerConfig.require("variance_type", c.varianceType(),
                "fixed_small", "fixed_small_log", "fixed_large", "learned", "learned_range");
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        setDiscreteTimesteps(numInferenceSteps);
    }

    private int previousTimestep(int t) {
        int n = numInferenceSteps > 0 ? numInferenceSteps : config.numTrainTimesteps();
        return t - config.numTrainTimesteps() / n;
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        int t = trainIndex(timestep);
        int prevT = previousTimestep(t);
        return SchedulerSupport.scoped(() -> {
            NDArray out = modelOutput;
            NDArray predictedVariance = null;
            long channels = sample.getShape().get(1);
            boolean learned = varianceType.equals("learned") || varianceType.equals("learned_range");
            if (learned && modelOutput.getShape().get(1) == 2 * channels) {
                NDList parts = modelOutput.split(new long[] {channels}, 1);
                out = parts.get(0);
                predictedVariance = parts.get(1);
            }
            float acT = alphasCumprod[t];
            float acPrev = prevT >= 0 ? alphasCumprod[prevT] : 1f;
            float betaProdT = 1f - acT;
            float betaProdPrev = 1f - acPrev;
            float currentAlpha = acT / acPrev;
            float currentBeta = 1f - currentAlpha;

            NDArray predOriginal = clipSample(predictOriginal(out, sample, acT));
            float origCoeff = sqrt(acPrev) * currentBeta / betaProdT;
            float sampleCoeff = sqrt(currentAlpha) * betaProdPrev / betaProdT;
            NDArray prev = predOriginal.mul(origCoeff).add(sample.mul(sampleCoeff));
            if (t > 0) {
                NDArray z = requireNoise(noise, out, "DDPMScheduler");
                // diffusers' _get_variance
                float variance = Math.max((1f - acPrev) / (1f - acT) * currentBeta, 1e-20f);
                NDArray v;
                switch (varianceType) {
                    case "fixed_small":
                        v = z.mul(sqrt(variance));
                        break;
                    case "fixed_small_log":
                        v = z.mul(SchedulerSupport.exp(0.5f * SchedulerSupport.log(variance)));
                        break;
                    case "fixed_large":
                        v = z.mul(sqrt(currentBeta));
                        break;
                    case "learned":
                        v = requireVariance(predictedVariance).sqrt().mul(z);
                        break;
                    case "learned_range": {
                        float minLog = SchedulerSupport.log(variance);
                        float maxLog = SchedulerSupport.log(currentBeta);
                        NDArray frac = requireVariance(predictedVariance).add(1f).div(2f);
                        NDArray logVar = frac.mul(maxLog).add(frac.neg().add(1f).mul(minLog));
                        v = logVar.mul(0.5f).exp().mul(z);
                        break;
                    }
                    default:
                        throw new IllegalStateException(varianceType);
                }
                prev = prev.add(v);
            }
            return prev;
        }, modelOutput, sample);
    }

    private static NDArray requireVariance(NDArray predictedVariance) {
        if (predictedVariance == null) {
            throw new IllegalArgumentException(
                    "variance_type learned/learned_range needs a model output with twice the sample's channels");
        }
        return predictedVariance;
    }
}
