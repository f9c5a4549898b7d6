package io.github.t2i4j.core.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Runs one step of a forward pass in its own {@link NDScope}: every array the step creates is
 * closed when it ends, except what it returns, which is handed to the enclosing scope (if any).
 * A UNet pass at 64x64 latents or a VAE decode at 1024x1024 makes thousands of intermediates, some
 * of a gigabyte, so they must go as soon as a block is done. Closing Java handles is safe under
 * autograd, which keeps its own references to the tensors it saved.
 *
 * <p>A step must return arrays it created itself, never one of its inputs: a returned array is
 * registered with the enclosing scope, which would otherwise close the caller's input.
 */
public final class Scopes {
    private Scopes() {}

    /** Runs {@code step}; only its result survives. */
    public static NDArray run(Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** Runs {@code step}; only the arrays of its result survive. */
    public static NDList runList(Supplier<NDList> step) {
        NDList out;
        try (NDScope scope = new NDScope()) {
            out = step.get();
            NDScope.unregister(out);
        }
        out.forEach(NDScope::register);
        return out;
    }

    /**
     * Runs {@code f(h)} as {@link #run}, then closes {@code h} unless it is {@code keep} (the
     * caller's input) or the result: for chaining layers where each input is dead once used.
     */
    public static NDArray step(NDArray h, NDArray keep, UnaryOperator<NDArray> f) {
        NDArray out = run(() -> f.apply(h));
        if (h != keep && h != out) {
            h.close();
        }
        return out;
    }
}
