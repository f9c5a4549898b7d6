package io.github.t2i4j.core.pipelines;

/** Told after each denoising step, e.g. to drive a progress bar. */
@FunctionalInterface
public interface StepListener {
    StepListener NONE = (step, total) -> {};

    void onStep(int step, int total);
}
