/**
 * Training on DJL autograd, as small pieces in the spirit of nanoGPT and k-diffusion: {@link
 * io.github.t2i4j.core.training.AdamW}, {@link io.github.t2i4j.core.training.LearningRateSchedule},
 * {@link io.github.t2i4j.core.training.GradientClipping}, {@link
 * io.github.t2i4j.core.training.GradientAccumulation}, {@link io.github.t2i4j.core.training.EMA},
 * {@link io.github.t2i4j.core.training.TrainingCheckpoint}, and a {@link
 * io.github.t2i4j.core.training.Trainer} loop that puts them together with a progress bar, a JSONL
 * metrics log and a loss plot:
 *
 * <pre>{@code
 * MyModel model = ...;                                   // a Module, initialised or loaded
 * Trainer.builder(model, batch -> {
 *             SplittableRandom rng = batch.random();     // data and noise: (seed, step) -> numbers
 *             NDArray x = ..., target = ...;
 *             return model.forward(x).sub(target).square().mean();
 *         })
 *         .optimizer(AdamW.builder().weightDecay(0.01).noDecay(AdamW.biasesAndNorms())
 *                 .build(model.namedParameters()))
 *         .schedule(LearningRateSchedule.warmupCosine(1e-4, 500, 20_000, 1e-5))
 *         .clipGradNorm(1.0)
 *         .accumulation(4)
 *         .ema(EMA.of(model, EMA.Decay.warmup(0.9999, 0.75)))
 *         .totalSteps(20_000)
 *         .seed(0)
 *         .checkpoints(out.resolve("checkpoints"), 1000, 3)
 *         .resume(true)                                  // --resume
 *         .metricsLog(out.resolve("metrics.jsonl"))
 *         .lossPlot(out.resolve("loss.png"))
 *         .build()
 *         .run();
 * }</pre>
 *
 * The training jobs' options hold their loop settings (steps, batch, rate and warm-up, weight
 * decay, seed, checkpoints, stop-after step, progress bar) as a {@link
 * io.github.t2i4j.core.training.TrainingLoop}, which {@code Trainer.Builder.loop(...)} applies.
 *
 * <p>Or write the loop yourself from the pieces: {@code opt.zeroGrad(); loss =
 * GradientAccumulation.accumulate(k, i -> ...); GradientClipping.clipGlobalNorm(params, 1.0);
 * opt.step(schedule.lr(step)); ema.update();}, each step in an {@code NDScope}.
 */
package io.github.t2i4j.core.training;
