package io.github.t2i4j.core.training;

/**
 * What one optimizer step did: the 1-based number of updates done after it ({@code step}), the
 * mean loss over its micro-batches, the learning rate, the gradient norm before clipping, the
 * training time so far in seconds (across resumes) and whether the update was skipped because
 * the loss or the gradients were not finite.
 */
public record StepMetrics(
        long step, double loss, double lr, double gradNorm, double seconds, boolean skipped) {}
