package io.github.t2i4j.core.schedulers;

import static io.github.t2i4j.core.schedulers.SchedulerSupport.sqrt;

import ai.djl.ndarray.NDArray;

/**
 * diffusers' {@code DDIMScheduler} (Song et al. 2020): deterministic for {@code eta = 0} (the
 * default), ancestral-like for {@code eta > 0} (set with {@link #setEta}; the step then needs a
 * {@link NoiseSource}).
 */
public class DDIMScheduler extends AbstractScheduler {
    /** The {@code _class_name} of this scheduler. */
    public static final String CLASS_NAME = "DDIMScheduler";

    private final float finalAlphaCumprod;
    private float eta;

    /** A scheduler from a config of any class, read as diffusers' {@code DDIMScheduler.from_config}. */
    public DDIMScheduler(SchedulerConfig config) {
        this(config.forClass(CLASS_NAME), null);
    }

    /** With a given {@code alphas_cumprod} (tests), or null to compute it from the resolved config. */
    DDIMScheduler(SchedulerConfig c, float[] alphasCumprod) {
        super(c, alphasCumprod != null ? alphasCumprod.clone()
                : NoiseSchedules.alphasCumprod(c, false, c.rescaleBetasZeroSnr()));
        rejectThresholding(c);
        this.finalAlphaCumprod = c.setAlphaToOne() ? 1f : this.alphasCumprod[0];
    }

    /** The DDIM {@code eta} (0: deterministic DDIM, 1: DDPM-like variance). */
    public DDIMScheduler setEta(float eta) {
        if (!(eta >= 0)) {
            throw new IllegalArgumentException("eta must be >= 0, got " + eta);
        }
        this.eta = eta;
        return this;
    }

    /** The DDIM {@code eta}. */
    public float eta() {
        return eta;
    }

    @Override
    public void setTimesteps(int numInferenceSteps) {
        setDiscreteTimesteps(numInferenceSteps);
    }

    @Override
    public NDArray step(NDArray modelOutput, float timestep, NDArray sample, NoiseSource noise) {
        requireTimesteps();
        int t = trainIndex(timestep);
        int prevT = t - config.numTrainTimesteps() / numInferenceSteps;
        return SchedulerSupport.scoped(() -> {
            float acT = alphasCumprod[t];
            float acPrev = prevT >= 0 ? alphasCumprod[prevT] : finalAlphaCumprod;
            float betaProdT = 1f - acT;

            NDArray predOriginal = predictOriginal(modelOutput, sample, acT);
            NDArray predEpsilon;
            switch (config.predictionType()) {
                case "epsilon":
                    predEpsilon = modelOutput;
                    break;
                case "sample": // from x0 before clipping, as diffusers
                    predEpsilon = sample.sub(predOriginal.mul(sqrt(acT))).div(sqrt(betaProdT));
                    break;
                case "v_prediction":
                    predEpsilon = modelOutput.mul(sqrt(acT)).add(sample.mul(sqrt(betaProdT)));
                    break;
                default:
                    throw new IllegalStateException(config.predictionType());
            }
            predOriginal = clipSample(predOriginal);
            // sigma_t(eta), formula (16) of the DDIM paper
            float variance = (1f - acPrev) / betaProdT * (1f - acT / acPrev);
            float std = eta * sqrt(variance);
            NDArray direction = predEpsilon.mul(sqrt(1f - acPrev - std * std));
            NDArray prev = predOriginal.mul(sqrt(acPrev)).add(direction);
            if (eta > 0) {
                NDArray z = requireNoise(noise, modelOutput, "DDIMScheduler with eta > 0");
                prev = prev.add(z.mul(std));
            }
            return prev;
        }, modelOutput, sample);
    }
}
