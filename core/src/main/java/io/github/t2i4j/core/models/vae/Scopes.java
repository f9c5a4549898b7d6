package io.github.t2i4j.core.models.vae;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Frees a layer's temporaries as soon as the layer is done. A VAE runs at image resolution, where
 * one activation of an SDXL decoder at 1024x1024 is half a gigabyte: keeping every intermediate
 * until the caller closes its manager would need tens of gigabytes. Closing the Java handles is
 * safe under autograd, which keeps its own references to the tensors it saved.
 */
final class Scopes {
    private Scopes() {}

    /**
     * Runs {@code f(h)} in its own {@link NDScope}, so every array it creates except the result is
     * closed; then closes {@code h} unless it is {@code keep} (the caller's input). The result is
     * registered with the enclosing scope, if any, as if it had been created there.
     */
    static NDArray step(NDArray h, NDArray keep, UnaryOperator<NDArray> f) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = f.apply(h);
            NDScope.unregister(out);
        }
        NDScope.register(out);
        if (h != keep && h != out) {
            h.close();
        }
        return out;
    }

    /** Runs {@code f} in its own {@link NDScope}; only its result survives. */
    static NDArray run(Supplier<NDArray> f) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = f.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }
}
