package io.github.t2i4j.core.training;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The optimisation-loop settings the training jobs share: step count, batch size, AdamW peak rate
 * and warm-up (then cosine decay to a tenth, {@link LearningRateSchedule#warmupCosineToTenth}),
 * weight decay, seed, checkpoint interval, the step to stop after for time-sliced runs, and the
 * progress bar. Each job's {@code Options} record holds its model and data settings plus one of
 * these (a {@link Holder}), so that these with-ers and checks are written once, here, instead of
 * in every job, and {@link Trainer.Builder#loop} wires them into the trainer in one call.
 *
 * <p>Gradient clipping, the EMA and the optimizer's no-decay set are not here: the jobs differ in
 * them (most clip at a fixed 1.0, some keep no EMA), so each job keeps its own.
 *
 * @param steps optimizer steps of the whole run
 * @param batchSize samples per step
 * @param learningRate peak AdamW learning rate (warm-up, then cosine to a tenth)
 * @param warmupSteps linear warm-up steps (the schedule clamps them to {@code steps})
 * @param weightDecay AdamW decoupled weight decay
 * @param seed data, noise and initialisation seed
 * @param checkpointEvery steps between checkpoints ({@code <= 0}: only at the end; the last two are kept)
 * @param stopAfter stop (and checkpoint) after this step, for time-sliced runs; {@code <= 0} runs to the end
 * @param progressBar show a progress bar on the console
 */
public record TrainingLoop(
        long steps,
        int batchSize,
        double learningRate,
        long warmupSteps,
        double weightDecay,
        long seed,
        long checkpointEvery,
        long stopAfter,
        boolean progressBar) {

    private static final Gson GSON = new Gson();

    public TrainingLoop {
        if (steps < 1 || batchSize < 1) {
            throw new IllegalArgumentException("steps and batchSize must be positive: " + steps + ", " + batchSize);
        }
        if (!(learningRate >= 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learningRate must be finite and >= 0: " + learningRate);
        }
        if (warmupSteps < 0) {
            throw new IllegalArgumentException("warmupSteps must be >= 0: " + warmupSteps);
        }
        if (!(weightDecay >= 0)) {
            throw new IllegalArgumentException("weightDecay must be >= 0: " + weightDecay);
        }
    }

    /** With {@code s} steps, the warm-up cut to at most {@code s}. */
    public TrainingLoop withSteps(long s) {
        return new TrainingLoop(s, batchSize, learningRate, Math.min(warmupSteps, s), weightDecay, seed,
                checkpointEvery, stopAfter, progressBar);
    }

    public TrainingLoop withBatchSize(int b) {
        return new TrainingLoop(steps, b, learningRate, warmupSteps, weightDecay, seed, checkpointEvery, stopAfter,
                progressBar);
    }

    public TrainingLoop withLearningRate(double lr) {
        return new TrainingLoop(steps, batchSize, lr, warmupSteps, weightDecay, seed, checkpointEvery, stopAfter,
                progressBar);
    }

    public TrainingLoop withWarmupSteps(long w) {
        return new TrainingLoop(steps, batchSize, learningRate, w, weightDecay, seed, checkpointEvery, stopAfter,
                progressBar);
    }

    public TrainingLoop withSeed(long s) {
        return new TrainingLoop(steps, batchSize, learningRate, warmupSteps, weightDecay, s, checkpointEvery,
                stopAfter, progressBar);
    }

    public TrainingLoop withCheckpointEvery(long every) {
        return new TrainingLoop(steps, batchSize, learningRate, warmupSteps, weightDecay, seed, every, stopAfter,
                progressBar);
    }

    public TrainingLoop withStopAfter(long step) {
        return new TrainingLoop(steps, batchSize, learningRate, warmupSteps, weightDecay, seed, checkpointEvery,
                step, progressBar);
    }

    public TrainingLoop withProgressBar(boolean show) {
        return new TrainingLoop(steps, batchSize, learningRate, warmupSteps, weightDecay, seed, checkpointEvery,
                stopAfter, show);
    }

    /**
     * A job's {@code Options} record that holds a {@link TrainingLoop} (a component named {@code
     * loop}): it gets the loop's with-ers, and its JSON for the checkpoints, from here.
     *
     * @param <O> the options record itself
     */
    public interface Holder<O extends Holder<O>> {

        TrainingLoop loop();

        /** The same options with another loop. */
        O withLoop(TrainingLoop loop);

        /** With {@code s} steps, the warm-up cut to at most {@code s} ({@link TrainingLoop#withSteps}). */
        default O withSteps(long s) {
            return withLoop(loop().withSteps(s));
        }

        default O withBatchSize(int b) {
            return withLoop(loop().withBatchSize(b));
        }

        default O withLearningRate(double lr) {
            return withLoop(loop().withLearningRate(lr));
        }

        default O withWarmupSteps(long w) {
            return withLoop(loop().withWarmupSteps(w));
        }

        default O withSeed(long s) {
            return withLoop(loop().withSeed(s));
        }

        default O withCheckpointEvery(long every) {
            return withLoop(loop().withCheckpointEvery(every));
        }

        default O withStopAfter(long step) {
            return withLoop(loop().withStopAfter(step));
        }

        default O withProgressBar(boolean show) {
            return withLoop(loop().withProgressBar(show));
        }

        /**
         * The options as the run's configuration in its checkpoints: Gson's JSON of the record
         * (component names as keys) with the loop's fields in place of the {@code loop} object, the
         * flat keys the checkpoints held before the loop settings were a record of their own.
         */
        default JsonObject toJson() {
            return flatJson((Record) this);
        }
    }

    /** Gson's JSON of {@code options}, every {@link TrainingLoop} component's fields inlined where it stands. */
    static JsonObject flatJson(Record options) {
        Set<String> loops = Arrays.stream(options.getClass().getRecordComponents())
                .filter(c -> c.getType() == TrainingLoop.class)
                .map(RecordComponent::getName)
                .collect(Collectors.toSet());
        JsonObject out = new JsonObject();
        GSON.toJsonTree(options).getAsJsonObject().entrySet().forEach(e -> {
            if (loops.contains(e.getKey())) {
                e.getValue().getAsJsonObject().entrySet().forEach(l -> out.add(l.getKey(), l.getValue()));
            } else {
                out.add(e.getKey(), e.getValue());
            }
        });
        return out;
    }
}
