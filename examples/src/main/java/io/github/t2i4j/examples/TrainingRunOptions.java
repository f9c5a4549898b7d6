package io.github.t2i4j.examples;

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

    /** {@link #work}, or {@code fallback} when not given. */
    Path workOr(String fallback) {
        return work != null ? work : Path.of(fallback);
    }
}
