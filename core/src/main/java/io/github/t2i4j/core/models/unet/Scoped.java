package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import java.util.function.Supplier;

/**
 * Runs a step of a forward pass in its own {@link NDScope}: every array the step creates is
 * closed when it ends, except the arrays it returns, which are handed to the enclosing scope (if
 * any). A full UNet pass at 64x64 latents makes thousands of intermediates, some of a gigabyte
 * (attention scores), so they must go as soon as a block is done.
 *
 * <p>A step must return arrays it created itself, never one of its inputs: a returned array is
 * registered with the enclosing scope, which would otherwise close the caller's input.
 */
final class Scoped {
    private Scoped() {}

    static NDArray call(Supplier<NDArray> step) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = step.get();
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    static NDList callList(Supplier<NDList> step) {
        NDList out;
        try (NDScope scope = new NDScope()) {
            out = step.get();
            NDScope.unregister(out);
        }
        out.forEach(NDScope::register);
        return out;
    }
}
