package io.github.t2i4j.core.schedulers;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.function.Supplier;

/** Tensor helpers shared by the schedulers. */
final class SchedulerSupport {
    private SchedulerSupport() {}

    /**
     * Runs {@code body} in its own {@link NDScope} so its temporaries are closed, and hands the
     * result to the caller's scope (if any), like any other NDArray operation.
     */
    static NDArray scoped(Supplier<NDArray> body, NDArray... inputs) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = body.get();
            NDScope.unregister(out);
            for (NDArray in : inputs) {
                NDScope.unregister(in);
            }
        }
        for (NDArray in : inputs) {
            if (in == out) {
                return out;
            }
        }
        NDScope.register(out);
        return out;
    }

    /** Float values as a tensor [B, 1, ..., 1] that broadcasts against {@code like} [B, ...]. */
    static NDArray column(float[] values, NDArray like) {
        long[] dims = new long[like.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[0] = values.length;
        NDManager m = like.getManager();
        NDArray a = HostArrays.owned(m.create(values, new Shape(dims)));
        return a.toType(like.getDataType(), false);
    }

    /** Integer train timesteps of a batch, read to the host. */
    static long[] longTimesteps(NDArray timesteps) {
        NDArray t = timesteps.toType(DataType.INT64, false);
        long[] v = t.toLongArray();
        if (t != timesteps) {
            t.close();
        }
        return v;
    }

    /** Timesteps of a batch as doubles (Euler/DPM-Solver look them up among the inference timesteps). */
    static double[] doubleTimesteps(NDArray timesteps) {
        NDArray t = timesteps.toType(DataType.FLOAT64, false);
        double[] v = t.toDoubleArray();
        if (t != timesteps) {
            t.close();
        }
        return v;
    }

    private static NDArray gatheredAlphas(float[] alphasCumprod, NDArray like, NDArray timesteps) {
        long[] t = longTimesteps(timesteps);
        if (t.length != like.getShape().get(0)) {
            throw new IllegalArgumentException(
                    "timesteps " + timesteps.getShape() + " do not match the batch of " + like.getShape());
        }
        float[] ac = new float[t.length];
        for (int i = 0; i < t.length; i++) {
            if (t[i] < 0 || t[i] >= alphasCumprod.length) {
                throw new IllegalArgumentException(
                        "timestep " + t[i] + " outside [0, " + alphasCumprod.length + ")");
            }
            ac[i] = alphasCumprod[(int) t[i]];
        }
        // diffusers casts alphas_cumprod to the sample's dtype before the square roots
        return column(ac, like);
    }

    /** DDPM's {@code add_noise}: {@code sqrt(ac_t) * original + sqrt(1 - ac_t) * noise}. */
    static NDArray addNoise(float[] alphasCumprod, NDArray original, NDArray noise, NDArray timesteps) {
        return scoped(() -> {
            NDArray ac = gatheredAlphas(alphasCumprod, original, timesteps);
            NDArray sa = ac.sqrt();
            NDArray sb = ac.neg().add(1f).sqrt();
            return sa.mul(original).add(sb.mul(noise));
        }, original, noise, timesteps);
    }

    /** DDPM's {@code get_velocity}: {@code sqrt(ac_t) * noise - sqrt(1 - ac_t) * sample}. */
    static NDArray velocity(float[] alphasCumprod, NDArray sample, NDArray noise, NDArray timesteps) {
        return scoped(() -> {
            NDArray ac = gatheredAlphas(alphasCumprod, sample, timesteps);
            NDArray sa = ac.sqrt();
            NDArray sb = ac.neg().add(1f).sqrt();
            return sa.mul(noise).sub(sb.mul(sample));
        }, sample, noise, timesteps);
    }

    /** Float sqrt as torch computes it on a float32 scalar (correctly rounded). */
    static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }

    /**
     * Float32 log, correctly rounded (torch's vectorised CPU log/exp are within an ulp of it, and
     * differ between CPUs, so no choice here is bit-exact everywhere).
     */
    static float log(float x) {
        return (float) Math.log(x);
    }

    /** Float32 exp, correctly rounded (see {@link #log(float)}). */
    static float exp(float x) {
        return (float) Math.exp(x);
    }
}
