package io.github.t2i4j.core.tensor;

import ai.djl.ndarray.NDArray;

/**
 * Java data as arrays that PyTorch owns.
 *
 * <p>On the CPU, DJL's PyTorch engine wraps {@code manager.create(javaArray)} around a Java
 * direct buffer ({@code torch.from_blob}); only that one {@code NDArray} keeps the buffer
 * reachable. Views of it (reshape, expandDims, a no-op toType) and tensors that autograd saves
 * for the backward pass (the {@code noise} of {@code mean + std * noise}) outlive a {@code
 * close()}, and then read memory the garbage collector may already have freed: gradients that
 * change from run to run, or NaN. Every array built from Java data goes through {@link #owned}.
 */
public final class HostArrays {
    private HostArrays() {}

    /**
     * A copy of {@code fromJava} in memory PyTorch allocated (the original is closed); on a GPU,
     * where DJL already copies, the array itself.
     */
    public static NDArray owned(NDArray fromJava) {
        if (fromJava.getDevice().isGpu()) {
            return fromJava;
        }
        NDArray copy = fromJava.duplicate();
        fromJava.close();
        return copy;
    }
}
