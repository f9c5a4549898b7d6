package io.github.t2i4j.suti.experts;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * {@code torch.no_grad()} for a block of work (sampling the prior images, encoding the instance
 * images, copying weights): no graph is built even where parameters require gradients. Grad mode
 * is per thread in libtorch; the previous mode is restored afterwards.
 */
final class NoGrad {
    private NoGrad() {}

    static <T> T run(Supplier<T> work) {
        if (!"PyTorch".equals(Engine.getInstance().getEngineName())) {
            return work.get();
        }
        boolean before = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
        try {
            return work.get();
        } finally {
            JniUtils.setGradMode(before);
        }
    }
}
