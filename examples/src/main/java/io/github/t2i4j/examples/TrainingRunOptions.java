package io.github.t2i4j.examples;

import io.github.t2i4j.core.training.TrainingLoop;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Options every training subcommand shares (a picocli mixin). */
final class TrainingRunOptions {

    @Option(names = "--work", paramLabel = "DIR", description = "Checkpoints (and caches) for --resume (default: per job, under target/).")
    Path work;

    @Option(names = "--steps", description = "Optimizer steps (default: the job's).")
    Long steps;

    @Option(names = "--stop-after", description = "End after this step, to train in slices with --resume.")
    Long stopAfter;

    @Option(names = "--seed", defaultValue = "0", description = "Data and initialisation seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --work.")
    boolean resume;

    @Option(names = "--learning-rate", paramLabel = "LR", description = "Peak AdamW learning rate (default: the job's).")
    Double learningRate;

    @Option(names = "--warmup-steps", paramLabel = "N",
            description = "Linear warm-up steps before the cosine decay (default: the job's, at most --steps); a short"
                    + " fine-tune wants fewer than the job's.")
    Long warmupSteps;

    /**
     * {@code options} with this run's seed and, where given, its steps, stop step, learning rate and
     * warm-up, through the options' own with-ers (a job may override one, as the world CLIP's
     * {@code withSteps} keeps its warm-up).
     */
    <O extends TrainingLoop.Holder<O>> O applyTo(O options) {
        O o = options.withSeed(seed);
        if (steps != null) {
            o = o.withSteps(steps);
        }
        if (stopAfter != null) {
            o = o.withStopAfter(stopAfter);
        }
        if (learningRate != null) {
            o = o.withLearningRate(learningRate);
        }
        if (warmupSteps != null) {
            o = o.withWarmupSteps(warmupSteps);
        }
        return o;
    }

    /** {@link #work}, or {@code fallback} when not given. */
    Path workOr(String fallback) {
        return work != null ? work : Path.of(fallback);
    }
}
