package io.github.t2i4j.suti.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.tensor.HostArrays;
import java.util.SplittableRandom;

/** Seeded Gaussian test arrays drawn in Java. */
final class TestArrays {
    private TestArrays() {}

    static NDArray gaussian(NDManager m, long seed, long... shape) {
        Shape s = new Shape(shape);
        SplittableRandom rng = new SplittableRandom(seed);
        float[] v = new float[Math.toIntExact(s.size())];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rng.nextGaussian();
        }
        return HostArrays.owned(m.create(v, s));
    }
}
