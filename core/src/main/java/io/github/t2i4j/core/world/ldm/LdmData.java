package io.github.t2i4j.core.world.ldm;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/** Data helpers shared by the latent-diffusion training jobs. */
public final class LdmData {
    private LdmData() {}

    /** Standard normal noise of {@code shape} drawn in Java from {@code rng} (row-major), never the engine's generator. */
    public static NDArray gaussian(NDManager manager, SplittableRandom rng, Shape shape) {
        int n = Math.toIntExact(shape.size());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) nextGaussian(rng);
        }
        return HostArrays.owned(manager.create(v, shape));
    }

    /** A standard normal value (Marsaglia's polar method; SplittableRandom has no nextGaussian on Java 17). */
    public static double nextGaussian(SplittableRandom rng) {
        double u;
        double v;
        double s;
        do {
            u = 2 * rng.nextDouble() - 1;
            v = 2 * rng.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * Math.sqrt(-2 * Math.log(s) / s);
    }

}
