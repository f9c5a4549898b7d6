package io.github.t2i4j.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.Shape;
import java.util.SplittableRandom;

/**
 * Seeded Gaussian noise drawn in Java, so that the same seed gives the same latents on every
 * device and engine thread, independent of PyTorch's global generator (the role of diffusers'
 * CPU {@code torch.Generator}).
 */
public final class Noise {
    private Noise() {}

    /** Standard normal values of {@code shape}, from {@code seed}, on {@code manager}'s device. */
    public static NDArray gaussian(NDManager manager, long seed, Shape shape) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) rng.nextGaussian();
        }
        return HostArrays.owned(manager.create(values, shape));
    }

    /**
     * A batch in which item {@code i} is drawn from {@code seed + i}: a batch of N reproduces the N
     * single-image runs with those seeds.
     */
    public static NDArray gaussianBatch(NDManager manager, long seed, Shape itemShape, int batch) {
        NDList items = new NDList(batch);
        for (int i = 0; i < batch; i++) {
            items.add(gaussian(manager, seed + i, itemShape).expandDims(0));
        }
        return batch == 1 ? items.head() : NDArrays.concat(items);
    }
}
