package io.github.t2i4j.core.training;

/**
 * The learning rate as a pure function of the 0-based optimizer step, so that a resumed run needs
 * no schedule state beyond the step itself.
 */
@FunctionalInterface
public interface LearningRateSchedule {

    /** Learning rate for the update made at 0-based {@code step}. */
    double lr(long step);

    /** The same rate at every step. */
    static LearningRateSchedule constant(double lr) {
        return new Constant(lr);
    }

    /**
     * Linear warm-up from {@code peak / warmupSteps} to {@code peak} over the first {@code
     * warmupSteps} steps, then cosine decay to {@code floor} at {@code totalSteps}, and {@code
     * floor} after that (nanoGPT's schedule).
     */
    static LearningRateSchedule warmupCosine(
            double peak, long warmupSteps, long totalSteps, double floor) {
        return new WarmupCosine(peak, warmupSteps, totalSteps, floor);
    }

    /**
     * The training jobs' schedule: linear warm-up over {@code min(warmupSteps, totalSteps)} steps,
     * then cosine decay from {@code peak} to a tenth of it at {@code totalSteps}.
     */
    static LearningRateSchedule warmupCosineToTenth(double peak, long warmupSteps, long totalSteps) {
        return warmupCosine(peak, Math.min(warmupSteps, totalSteps), totalSteps, peak / 10);
    }

    /** See {@link #constant(double)}. */
    record Constant(double lr) implements LearningRateSchedule {
        public Constant {
            if (!(lr >= 0) || Double.isInfinite(lr)) {
                throw new IllegalArgumentException("learning rate must be finite and >= 0: " + lr);
            }
        }

        @Override
        public double lr(long step) {
            return lr;
        }
    }

    /** See {@link #warmupCosine(double, long, long, double)}. */
    record WarmupCosine(double peak, long warmupSteps, long totalSteps, double floor)
            implements LearningRateSchedule {
        public WarmupCosine {
            if (!(peak >= 0) || Double.isInfinite(peak) || !(floor >= 0) || floor > peak) {
                throw new IllegalArgumentException(
                        "need 0 <= floor <= peak (finite): peak " + peak + ", floor " + floor);
            }
            if (warmupSteps < 0 || totalSteps < warmupSteps) {
                throw new IllegalArgumentException(
                        "need 0 <= warmupSteps <= totalSteps: " + warmupSteps + ", " + totalSteps);
            }
        }

        @Override
        public double lr(long step) {
            if (step < warmupSteps) {
                return peak * (step + 1) / warmupSteps;
            }
            if (step >= totalSteps) {
                return floor;
            }
            double progress = (double) (step - warmupSteps) / (totalSteps - warmupSteps);
            return floor + 0.5 * (1 + Math.cos(Math.PI * progress)) * (peak - floor);
        }
    }
}
