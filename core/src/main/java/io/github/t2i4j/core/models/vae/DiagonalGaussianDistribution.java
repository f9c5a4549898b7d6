package io.github.t2i4j.core.models.vae;

import io.github.t2i4j.core.tensor.Scalars;
import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import java.util.Random;

/**
 * diffusers' {@code DiagonalGaussianDistribution}: the encoder's moments split along channels into
 * a mean and a log-variance (clamped to [-30, 20]), i.e. the VAE posterior q(z | x).
 *
 * <p>Closing it frees its mean, log-variance and standard deviation; {@link #mode()} returns the
 * mean itself, so use that only while the distribution is open.
 */
public class DiagonalGaussianDistribution implements AutoCloseable {
    private final NDArray mean;
    private final NDArray logvar;
    private final NDArray std;

    /**
     * @param moments [B, 2C, h, w]: the first C channels are the mean, the last C the log-variance
     */
    public DiagonalGaussianDistribution(NDArray moments) {
        if (moments.getShape().dimension() < 2 || moments.getShape().get(1) % 2 != 0) {
            throw new IllegalArgumentException(
                    "moments need an even channel count on axis 1, got shape " + moments.getShape());
        }
        // the split halves, the halved log-variance and scalar constants are freed with the scope
        try (NDScope scope = new NDScope()) {
            NDList parts = moments.split(2, 1);
            this.mean = parts.get(0);
            this.logvar = parts.get(1).clip(-30f, 20f);
            this.std = Scalars.mul(logvar, 0.5f).exp();
            NDScope.unregister(mean, logvar, std);
        }
        NDScope.register(mean);
        NDScope.register(logvar);
        NDScope.register(std);
    }

    public NDArray mean() {
        return mean;
    }

    /** The log-variance, clamped to [-30, 20]. */
    public NDArray logvar() {
        return logvar;
    }

    /** exp(logvar / 2). */
    public NDArray std() {
        return std;
    }

    /** exp(logvar), computed on each call. */
    public NDArray var() {
        return logvar.exp();
    }

    /** The most likely latent: the mean (the same array, not a copy). */
    public NDArray mode() {
        return mean;
    }

    /** mean + std * noise, for noise ~ N(0, 1) of the mean's shape. */
    public NDArray sample(NDArray noise) {
        if (!noise.getShape().equals(mean.getShape())) {
            throw new IllegalArgumentException(
                    "noise shape " + noise.getShape() + " differs from the latent shape " + mean.getShape());
        }
        try (NDArray scaled = std.mul(noise.toType(std.getDataType(), false))) {
            return mean.add(scaled);
        }
    }

    /**
     * Draws mean + std * eps with eps from {@code rng} (standard normal, in row-major order), so a
     * seeded {@link Random} gives the same latent on every device.
     */
    public NDArray sample(Random rng) {
        int n = Math.toIntExact(mean.getShape().size());
        float[] eps = new float[n];
        for (int i = 0; i < n; i++) {
            eps[i] = (float) rng.nextGaussian();
        }
        try (NDArray noise = HostArrays.owned(mean.getManager().create(eps, mean.getShape()))) {
            if (mean.getDataType() == DataType.FLOAT32) {
                return sample(noise);
            }
            try (NDArray typed = noise.toType(mean.getDataType(), true)) {
                return sample(typed);
            }
        }
    }

    /**
     * KL divergence to the standard normal, summed over every axis but the batch axis: 0.5 *
     * sum(mean^2 + var - 1 - logvar).
     */
    public NDArray kl() {
        int[] axes = new int[mean.getShape().dimension() - 1];
        for (int i = 0; i < axes.length; i++) {
            axes[i] = i + 1;
        }
        return Scalars.mul(mean.square().add(var()).sub(1f).sub(logvar).sum(axes), 0.5f);
    }

    /** Frees the mean, log-variance and standard deviation. */
    @Override
    public void close() {
        mean.close();
        logvar.close();
        std.close();
    }
}
