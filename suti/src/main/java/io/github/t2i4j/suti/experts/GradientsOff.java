package io.github.t2i4j.suti.experts;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.github.t2i4j.core.nn.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs work with the gradients of shared models switched off, then switches each back exactly as
 * it was: the backward pass of Textual Inversion then reaches the one learned row without
 * computing (and storing) a gradient for every weight of the frozen UNet and text encoder. The
 * weights themselves are not touched.
 */
final class GradientsOff {
    private GradientsOff() {}

    static <T> T during(List<? extends Module> models, Supplier<T> work) {
        List<NDArray> switched = new ArrayList<>();
        try {
            for (Module model : models) {
                for (Parameter p : model.namedParameters().values()) {
                    if (p.isInitialized() && p.getArray().hasGradient()) {
                        p.getArray().setRequiresGradient(false);
                        switched.add(p.getArray());
                    }
                }
            }
            return work.get();
        } finally {
            for (NDArray a : switched) {
                a.setRequiresGradient(true);
            }
        }
    }
}
