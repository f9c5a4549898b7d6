package io.github.t2i4j.star.sample;

/**
 * How {@link StarSampler} draws tokens.
 *
 * @param cfg classifier-free guidance strength; scale k of K is guided with cfg * k / (K - 1)
 *     ({@link CfgRamp}); 0 runs the conditional batch alone
 * @param topK keep the k most likely tokens (ties with the k-th kept); 0 or &gt;= V keeps all
 * @param topP nucleus threshold in (0, 1]; 0 keeps all
 * @param temperature logits are divided by it before filtering; 0 takes the most likely token
 *     (greedy, no randomness)
 * @param seed batch item i draws from a generator seeded {@code seed + i}
 */
public record SamplingOptions(double cfg, int topK, double topP, double temperature, long seed) {

    /** The settings of STAR's demo: cfg 4, top-k 600, top-p 0.8. */
    public static final double DEFAULT_CFG = 4.0;

    public static final int DEFAULT_TOP_K = 600;

    public static final double DEFAULT_TOP_P = 0.8;

    public SamplingOptions {
        if (!(cfg >= 0) || Double.isInfinite(cfg)) {
            throw new IllegalArgumentException("cfg must be a finite number >= 0, got " + cfg);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top_k must be >= 0, got " + topK);
        }
        if (!(topP >= 0 && topP <= 1)) {
            throw new IllegalArgumentException("top_p must be in [0, 1], got " + topP);
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number >= 0, got " + temperature);
        }
    }

    /** STAR's demo settings (cfg 4, top-k 600, top-p 0.8, temperature 1) with a seed. */
    public static SamplingOptions defaults(long seed) {
        return new SamplingOptions(DEFAULT_CFG, DEFAULT_TOP_K, DEFAULT_TOP_P, 1.0, seed);
    }

    public SamplingOptions withCfg(double value) {
        return new SamplingOptions(value, topK, topP, temperature, seed);
    }

    public SamplingOptions withTopK(int value) {
        return new SamplingOptions(cfg, value, topP, temperature, seed);
    }

    public SamplingOptions withTopP(double value) {
        return new SamplingOptions(cfg, topK, value, temperature, seed);
    }

    public SamplingOptions withTemperature(double value) {
        return new SamplingOptions(cfg, topK, topP, value, seed);
    }

    public SamplingOptions withSeed(long value) {
        return new SamplingOptions(cfg, topK, topP, temperature, value);
    }

    /** Whether tokens are the argmax rather than drawn. */
    public boolean greedy() {
        return temperature == 0;
    }
}
