package io.github.t2i4j.core.tensor;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.function.Supplier;

/**
 * {@code torch.no_grad()} for a block of work: with autograd recording off, operations on
 * trainable parameters build no graph and save no activations, even inside the JVM's one open
 * gradient collector (which turns recording on): IterComp's ReFL runs its 30 to 39 sampling steps
 * this way inside the trainer's loss function, DreamBooth samples its prior images. Recording is per thread in libtorch; the previous mode is
 * restored afterwards. Callers should still detach what they keep ({@code stopGradient}), which
 * is all that other engines get.
 */
public final class NoGrad {
    private NoGrad() {}

    /** Runs {@code work} with autograd recording off on this thread. */
    public static <T> T run(Supplier<T> work) {
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
