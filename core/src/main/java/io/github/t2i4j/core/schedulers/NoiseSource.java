package io.github.t2i4j.core.schedulers;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Random;

/**
 * Standard normal noise for the stochastic schedulers, playing the role of diffusers'
 * {@code generator}. {@link #seeded(long)} is deterministic for a seed and call order on every
 * device and engine (the numbers are drawn in Java, then copied to the manager's device).
 */
@FunctionalInterface
public interface NoiseSource {

    /** A tensor of independent N(0, 1) values on {@code manager}'s device. */
    NDArray randn(NDManager manager, Shape shape, DataType dataType);

    /** A reproducible source: {@link Random#nextGaussian()} from {@code new Random(seed)}. */
    static NoiseSource seeded(long seed) {
        Random random = new Random(seed);
        return (manager, shape, dataType) -> {
            long size = shape.size();
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("noise tensor too large: " + shape);
            }
            float[] v = new float[(int) size];
            synchronized (random) {
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) random.nextGaussian();
                }
            }
            NDArray a = HostArrays.owned(manager.create(v, shape));
            if (dataType == DataType.FLOAT32) {
                return a;
            }
            NDArray b = a.toType(dataType, false);
            a.close();
            return b;
        };
    }

    /** The engine's own generator ({@code NDManager.randomNormal}), seeded globally through the engine. */
    static NoiseSource engine() {
        return (manager, shape, dataType) -> manager.randomNormal(0f, 1f, shape, dataType);
    }
}
