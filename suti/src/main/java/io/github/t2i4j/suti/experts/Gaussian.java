package io.github.t2i4j.suti.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.SplittableRandom;

/** Standard normal arrays drawn in Java from a training step's generator (never PyTorch's), with the JDK's nextGaussian. */
public final class Gaussian {
    private Gaussian() {}

    public static NDArray of(NDManager m, SplittableRandom rng, Shape shape) {
        float[] v = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return HostArrays.owned(m.create(v, shape));
    }
}
