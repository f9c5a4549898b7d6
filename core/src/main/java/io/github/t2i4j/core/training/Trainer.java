package io.github.t2i4j.core.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.nn.Module;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The training loop, written out once so every model trains the same way. Each step, in its own
 * {@link NDScope} so that nothing it creates outlives it:
 *
 * <ol>
 *   <li>zero the gradients; run forward and backward on {@code accumulation} micro-batches
 *       ({@link GradientAccumulation}), the loss function drawing its data and noise from {@link
 *       MicroBatch#random()};
 *   <li>take the global gradient norm and clip it ({@link GradientClipping}); skip the update if
 *       the loss or the norm is not finite;
 *   <li>update with {@link AdamW} at the rate the {@link LearningRateSchedule} gives for the step,
 *       then the {@link EMA} if there is one;
 *   <li>log a line of {@link StepMetrics} to the JSONL log, move the progress bar (loss, it/s,
 *       ETA), and every {@code checkpointEvery} steps write a {@link TrainingCheckpoint}.
 * </ol>
 *
 * <p>With {@link Builder#resume(boolean) resume}, the run continues from the newest checkpoint:
 * since the weights, the optimizer and EMA state are restored exactly and all randomness is a
 * function of (seed, step), the resumed run computes exactly what the uninterrupted run computed.
 * At the end a PNG of the loss curve is drawn if asked for. (Randomness drawn from the engine's
 * global generator, e.g. by dropout, is not part of a checkpoint: draw it from the micro-batch's
 * stream instead.)
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

    /** The loss of one micro-batch: a scalar NDArray whose graph reaches the parameters. */
    @FunctionalInterface
    public interface LossFunction {
        NDArray loss(MicroBatch batch);
    }

    /** What a run did: steps {@code startStep+1 .. endStep}, their metrics, the last checkpoint. */
    public record Result(
            long startStep, long endStep, List<StepMetrics> metrics, Optional<Path> lastCheckpoint) {}

    private final Module model;
    private final LossFunction lossFn;
    private final AdamW optimizer;
    private final LearningRateSchedule schedule;
    private final double clipNorm;
    private final int accumulation;
    private final EMA ema;
    private final long totalSteps;
    private final long stopAfter;
    private final long seed;
    private final Path checkpointDir;
    private final long checkpointEvery;
    private final int keepLast;
    private final boolean resume;
    private final Path metricsFile;
    private final Path lossPlot;
    private final boolean progressBar;
    private final JsonObject config;
    private final Consumer<StepMetrics> listener;

    private Trainer(Builder b) {
        this.model = b.model;
        this.lossFn = b.lossFn;
        this.optimizer = b.optimizer != null ? b.optimizer : AdamW.builder().build(b.model.namedParameters());
        this.schedule = b.schedule;
        this.clipNorm = b.clipNorm;
        this.accumulation = b.accumulation;
        this.ema = b.ema;
        this.totalSteps = b.totalSteps;
        this.stopAfter = b.stopAfter > 0 ? Math.min(b.stopAfter, b.totalSteps) : b.totalSteps;
        this.seed = b.seed;
        this.checkpointDir = b.checkpointDir;
        this.checkpointEvery = b.checkpointEvery;
        this.keepLast = b.keepLast;
        this.resume = b.resume;
        this.metricsFile = b.metricsFile;
        this.lossPlot = b.lossPlot;
        this.progressBar = b.progressBar;
        this.config = b.config;
        this.listener = b.listener;
    }

    /** A trainer of {@code model} on {@code loss}; see {@link Builder} for the options. */
    public static Builder builder(Module model, LossFunction loss) {
        return new Builder(model, loss);
    }

    /** Trains (or resumes) up to the total step count, or the {@code stopAfter} step. */
    public Result run() {
        long start = 0;
        double elapsedBefore = 0;
        long runSeed = seed;
        if (resume && checkpointDir != null) {
            Optional<Path> last = TrainingCheckpoint.latest(checkpointDir);
            if (last.isPresent()) {
                JsonObject state = TrainingCheckpoint.load(last.get(), model, optimizer, ema);
                start = state.get("step").getAsLong();
                elapsedBefore = state.get("elapsed_seconds").getAsDouble();
                runSeed = state.get("seed").getAsLong();
                if (runSeed != seed) {
                    LOG.warn("resuming with the checkpoint's seed {} instead of {}", runSeed, seed);
                }
            } else {
                LOG.info("no checkpoint in {}: starting from step 0", checkpointDir);
            }
        }
        Collection<Parameter> params = optimizer.parameters().values();
        List<StepMetrics> metrics = new ArrayList<>();
        Optional<Path> lastCheckpoint = Optional.empty();
        long t0 = System.nanoTime();
        double smoothLoss = Double.NaN;
        try (MetricsLog log = metricsFile == null ? null : MetricsLog.open(metricsFile, start);
                ProgressBar bar = progressBar ? bar(start, elapsedBefore) : null) {
            for (long s = start; s < stopAfter; s++) {
                final long step = s;
                final long seedForRun = runSeed;
                double lr = schedule.lr(step);
                double loss;
                double norm;
                boolean skipped;
                try (NDScope scope = new NDScope()) {
                    scope.suppressNotUsedWarning();
                    optimizer.zeroGrad();
                    loss =
                            GradientAccumulation.accumulate(
                                    accumulation,
                                    i ->
                                            lossFn.loss(
                                                    new MicroBatch(step, i, accumulation, seedForRun)));
                    norm =
                            clipNorm > 0
                                    ? GradientClipping.clipGlobalNorm(params, clipNorm)
                                    : GradientClipping.globalNorm(params);
                    skipped = !Double.isFinite(loss) || !Double.isFinite(norm);
                    if (skipped) {
                        LOG.warn("step {}: loss {} grad norm {}: update skipped", step + 1, loss, norm);
                    } else {
                        optimizer.step(lr);
                        if (ema != null) {
                            ema.update();
                        }
                    }
                }
                double seconds = elapsedBefore + (System.nanoTime() - t0) / 1e9;
                StepMetrics m = new StepMetrics(step + 1, loss, lr, norm, seconds, skipped);
                metrics.add(m);
                if (log != null) {
                    log.append(m);
                }
                if (Double.isFinite(loss)) {
                    smoothLoss = Double.isNaN(smoothLoss) ? loss : 0.95 * smoothLoss + 0.05 * loss;
                }
                if (bar != null) {
                    bar.setExtraMessage(
                            String.format(
                                    Locale.ROOT, " loss %.4f avg %.4f lr %.1e", loss, smoothLoss, lr));
                    bar.stepTo(step + 1);
                }
                LOG.debug("step {} loss {} lr {} grad_norm {}", step + 1, loss, lr, norm);
                if (listener != null) {
                    listener.accept(m);
                }
                boolean last = step + 1 == stopAfter;
                if (checkpointDir != null
                        && (last || (checkpointEvery > 0 && (step + 1) % checkpointEvery == 0))) {
                    lastCheckpoint = Optional.of(save(step + 1, runSeed, seconds, lr));
                }
            }
        }
        if (lossPlot != null) {
            try {
                List<StepMetrics> all =
                        metricsFile != null && Files.exists(metricsFile)
                                ? MetricsLog.read(metricsFile)
                                : metrics;
                LossPlot.write(all, lossPlot);
            } catch (RuntimeException e) {
                LOG.warn("could not draw the loss plot {}: {}", lossPlot, e.toString());
            }
        }
        return new Result(start, Math.max(start, stopAfter), metrics, lastCheckpoint);
    }

    private Path save(long step, long runSeed, double seconds, double lr) {
        JsonObject state = new JsonObject();
        state.addProperty("step", step);
        state.addProperty("total_steps", totalSteps);
        state.addProperty("seed", runSeed);
        state.addProperty("elapsed_seconds", seconds);
        state.addProperty("lr", lr);
        state.addProperty("accumulation", accumulation);
        state.addProperty("clip_grad_norm", clipNorm);
        state.addProperty("optimizer_steps", optimizer.stepCount());
        if (ema != null) {
            state.addProperty("ema_updates", ema.updateCount());
        }
        state.addProperty("schedule", schedule.toString());
        if (config != null) {
            state.add("config", config);
        }
        return TrainingCheckpoint.save(checkpointDir, model, optimizer, ema, state, keepLast);
    }

    private ProgressBar bar(long start, double elapsedBefore) {
        return new ProgressBarBuilder()
                .setTaskName("train")
                .setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" it", 1)
                .showSpeed()
                .continuousUpdate()
                .startsFrom(start, Duration.ofMillis((long) (elapsedBefore * 1000)))
                .build();
    }

    /** Trainer options; only the model, the loss, the schedule and the step count are required. */
    public static final class Builder {
        private final Module model;
        private final LossFunction lossFn;
        private AdamW optimizer;
        private LearningRateSchedule schedule;
        private double clipNorm;
        private int accumulation = 1;
        private EMA ema;
        private long totalSteps;
        private long stopAfter;
        private long seed;
        private Path checkpointDir;
        private long checkpointEvery;
        private int keepLast;
        private boolean resume;
        private Path metricsFile;
        private Path lossPlot;
        private boolean progressBar = true;
        private JsonObject config;
        private Consumer<StepMetrics> listener;

        private Builder(Module model, LossFunction lossFn) {
            this.model = model;
            this.lossFn = lossFn;
        }

        /** The optimizer (default: AdamW with PyTorch's defaults over all trainable parameters). */
        public Builder optimizer(AdamW optimizer) {
            this.optimizer = optimizer;
            return this;
        }

        public Builder schedule(LearningRateSchedule schedule) {
            this.schedule = schedule;
            return this;
        }

        /** Clips the global gradient norm to {@code maxNorm} ({@code <= 0}: no clipping). */
        public Builder clipGradNorm(double maxNorm) {
            this.clipNorm = maxNorm;
            return this;
        }

        /** Micro-batches per optimizer step (default 1). */
        public Builder accumulation(int microBatches) {
            if (microBatches < 1) {
                throw new IllegalArgumentException("need at least one micro-batch: " + microBatches);
            }
            this.accumulation = microBatches;
            return this;
        }

        public Builder ema(EMA ema) {
            this.ema = ema;
            return this;
        }

        /** Steps of the whole run (what the schedule and the progress bar count to). */
        public Builder totalSteps(long totalSteps) {
            if (totalSteps < 1) {
                throw new IllegalArgumentException("totalSteps must be >= 1: " + totalSteps);
            }
            this.totalSteps = totalSteps;
            return this;
        }

        /**
         * Stops after this step (and checkpoints there), as a job that is given a time slice
         * would; a later run with {@link #resume(boolean)} goes on. Default: run to the end.
         */
        public Builder stopAfter(long step) {
            this.stopAfter = step;
            return this;
        }

        /** The seed of every micro-batch's random stream (default 0). */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * Writes a checkpoint under {@code dir} every {@code every} steps ({@code <= 0}: only at
         * the end), keeping the newest {@code keepLast} ({@code <= 0}: all).
         */
        public Builder checkpoints(Path dir, long every, int keepLast) {
            this.checkpointDir = dir;
            this.checkpointEvery = every;
            this.keepLast = keepLast;
            return this;
        }

        /** Continue from the newest checkpoint in the checkpoint folder, if there is one. */
        public Builder resume(boolean resume) {
            this.resume = resume;
            return this;
        }

        /** The JSONL metrics log. */
        public Builder metricsLog(Path file) {
            this.metricsFile = file;
            return this;
        }

        /** Where to draw the loss curve at the end (from the whole metrics log if there is one). */
        public Builder lossPlot(Path png) {
            this.lossPlot = png;
            return this;
        }

        /**
         * The training jobs' files: checkpoints every {@code checkpointEvery} steps in {@code
         * workDir/checkpoints} (the last two kept), resumed from there when {@code resume}, and
         * {@code metrics.jsonl} and {@code loss.png} in {@code outDir}.
         */
        public Builder outputs(Path outDir, Path workDir, long checkpointEvery, boolean resume) {
            return checkpoints(workDir.resolve("checkpoints"), checkpointEvery, 2)
                    .resume(resume)
                    .metricsLog(outDir.resolve("metrics.jsonl"))
                    .lossPlot(outDir.resolve("loss.png"));
        }

        /**
         * A training job's loop settings: the {@link LearningRateSchedule#warmupCosineToTenth}
         * schedule of its rate, warm-up and steps, the step count, the step to stop after, the
         * seed, the job's {@link #outputs} (checkpoints every {@code loop.checkpointEvery()} steps)
         * and the progress bar. The optimizer (with {@code loop.weightDecay()} and the model's
         * no-decay set), gradient clipping and the EMA stay the caller's to set.
         */
        public Builder loop(TrainingLoop loop, Path outDir, Path workDir, boolean resume) {
            return schedule(LearningRateSchedule.warmupCosineToTenth(
                            loop.learningRate(), loop.warmupSteps(), loop.steps()))
                    .totalSteps(loop.steps())
                    .stopAfter(loop.stopAfter())
                    .seed(loop.seed())
                    .outputs(outDir, workDir, loop.checkpointEvery(), resume)
                    .progressBar(loop.progressBar());
        }

        /** Show a progress bar on the console (default true). */
        public Builder progressBar(boolean show) {
            this.progressBar = show;
            return this;
        }

        /** The run's configuration, stored in every checkpoint's state for reference. */
        public Builder config(JsonObject config) {
            this.config = config;
            return this;
        }

        /** Called after each step (e.g. to sample images or check memory). */
        public Builder listener(Consumer<StepMetrics> listener) {
            this.listener = listener;
            return this;
        }

        public Trainer build() {
            if (schedule == null) {
                throw new IllegalStateException("no learning-rate schedule");
            }
            if (totalSteps < 1) {
                throw new IllegalStateException("no total step count");
            }
            if (resume && checkpointDir == null) {
                throw new IllegalStateException("resume needs a checkpoint folder");
            }
            return new Trainer(this);
        }
    }
}
