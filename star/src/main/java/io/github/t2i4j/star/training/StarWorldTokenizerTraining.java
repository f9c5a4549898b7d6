package io.github.t2i4j.star.training;

import io.github.t2i4j.core.metrics.ReconstructionError;
import io.github.t2i4j.core.world.HeldOutRenders;
import io.github.t2i4j.core.world.SceneRenderer;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.training.ReconstructionLoss;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.ldm.ReconstructionCeiling;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import io.github.t2i4j.star.tokenizer.VQTokenizerTraining;
import io.github.t2i4j.star.tokenizer.VQVAEConfig;
import io.github.t2i4j.star.tokenizer.VectorQuantizer2;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a world-sized {@link MultiScaleVQTokenizer} (VAR's multi-scale residual VQ-VAE) on world
 * renders with the losses of {@link VQTokenizerTraining}: reconstruction MSE plus the VQ loss
 * (straight-through), codebook usage tracking and dead-code re-initialisation. VAR's perceptual and
 * adversarial terms are left out, as for the world's KL-VAE: flat-coloured shapes need neither.
 *
 * <p>Batch {@code k} is samples {@code k*B .. (k+1)*B-1} of the seeded training stream. The weights,
 * optimizer and schedule resume exactly from a checkpoint; the codebook usage statistics (which only
 * decide when dead codes are re-initialised) start afresh in a resumed run, so a resumed run is
 * close to but not bit-identical with an uninterrupted one.
 *
 * <p>The result is a tokenizer folder ({@code config.json} with VAR's keys, fp16 {@value
 * MultiScaleVQTokenizer#WEIGHTS_FILE}, the training log and loss plot, and {@code
 * reconstructions.png}), evaluated on held-out renders: reconstruction PSNR through the full
 * schedule (as the transformer's tokens are decoded) and the share of codes in use.
 */
public final class StarWorldTokenizerTraining {
    private static final Logger LOG = LoggerFactory.getLogger(StarWorldTokenizerTraining.class);

    private StarWorldTokenizerTraining() {}

    /**
     * Tokenizer size and optimisation settings.
     *
     * @param vocabSize codebook size V (shared by all scales)
     * @param zChannels code width Cvae
     * @param ch base channels of encoder and decoder (a multiple of 32: 32 GroupNorm groups)
     * @param chMult channel multiplier per level; the latent is 2^(levels-1) times smaller than the image
     * @param numResBlocks resnets per encoder level (the decoder has one more)
     * @param patchNums the scale schedule; the last entry is the latent side
     * @param vqWeight weight of the VQ loss next to the reconstruction MSE
     * @param reinitEvery batches between dead-code re-initialisations (0: never)
     * @param loop steps, images per step, AdamW rate (warm-up, then cosine to a tenth) and weight decay
     *     (not on biases and norms), data and initialisation seed, checkpoint interval, stop-after step and
     *     progress bar
     * @param heldOutPerCategory held-out renders per category for PSNR and code usage (0: none)
     */
    public record Options(
            int vocabSize,
            int zChannels,
            int ch,
            List<Integer> chMult,
            int numResBlocks,
            List<Integer> patchNums,
            double vqWeight,
            int reinitEvery,
            TrainingLoop loop,
            int heldOutPerCategory) implements TrainingLoop.Holder<Options> {

        public Options {
            chMult = List.copyOf(chMult);
            patchNums = List.copyOf(patchNums);
            Objects.requireNonNull(loop, "loop");
            if (!(vqWeight >= 0) || reinitEvery < 0 || heldOutPerCategory < 0) {
                throw new IllegalArgumentException(
                        "vqWeight, reinitEvery and heldOutPerCategory must be >= 0: " + vqWeight + ", "
                                + reinitEvery + ", " + heldOutPerCategory);
            }
        }

        /**
         * The world tokenizer (about 3.3M parameters): 64x64 renders to an 8x8 latent (ch 32,
         * ch_mult 1,2,2,4: channels 32, 64, 64, 128, one resnet per encoder level and two per
         * decoder level, attention at 8x8 and in the mid block), 1024 codes of width 16, scales
         * 1,2,3,4,6,8 (130 tokens per image), VAR's 4 shared phis with ratio 0.5; dead codes
         * re-initialised every 50 batches; 2,500 steps of batch 16 (40,000 renders, each seen
         * once), AdamW 3e-4 (100 warm-up steps, cosine to 3e-5, no weight decay), gradient norm
         * clipped to 1.
         *
         * <p>Estimated time per step on the 2-core CPU: about 1 s. Measured: 3.5 to 4.1 CPU-seconds
         * per step of the default model while the CPU was shared with another training job (load
         * average 7 to 10), i.e. at most 2 s per step when unshared; its convolutions cost about
         * as much as the world VAE's (0.75 s per step of batch 16). 2,500 steps: 40 to 80 minutes.
         */
        public static Options defaults() {
            return new Options(1024, 16, 32, List.of(1, 2, 2, 4), 1, List.of(1, 2, 3, 4, 6, 8), 1.0, 50,
                    new TrainingLoop(2_500, 16, 3e-4, 100, 0.0, 0, 250, 0, true), 32);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(vocabSize, zChannels, ch, chMult, numResBlocks, patchNums, vqWeight, reinitEvery, l,
                    heldOutPerCategory);
        }
    }

    /**
     * What a run produced.
     *
     * @param tokenizerDir the tokenizer folder written
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param finalLoss training loss of the last step
     * @param trainingUsagePercent codes in use at the end of training (VAR's usage margin, any scale)
     * @param heldOutMse reconstruction MSE on held-out renders, pixels in [0, 1] (NaN when not measured)
     * @param heldOutPsnr its PSNR in dB
     * @param heldOutUsagePercent share of the codebook picked at least once on the held-out renders
     * @param heldOutUsagePerScale the same per scale
     * @param heldOutImages held-out renders evaluated
     * @param parameters the tokenizer's parameter count
     */
    public record Result(
            Path tokenizerDir,
            long steps,
            double seconds,
            double finalLoss,
            double trainingUsagePercent,
            double heldOutMse,
            double heldOutPsnr,
            double heldOutUsagePercent,
            double[] heldOutUsagePerScale,
            int heldOutImages,
            long parameters) {}

    /** The tokenizer configuration of {@code o} under VAR's keys (VAR's defaults for the rest). */
    public static VQVAEConfig config(Options o) {
        JsonObject c = new JsonObject();
        c.addProperty("vocab_size", o.vocabSize());
        c.addProperty("z_channels", o.zChannels());
        c.addProperty("ch", o.ch());
        c.addProperty("num_res_blocks", o.numResBlocks());
        return VQVAEConfig.fromJson(c).withChMult(o.chMult()).withPatchNums(o.patchNums());
    }

    /**
     * Trains (resuming from {@code workDir}'s newest checkpoint when {@code resume}) and writes the
     * tokenizer folder {@code tokenizerDir}.
     */
    public static Result train(Options o, Path tokenizerDir, Path workDir, boolean resume) throws IOException {
        Files.createDirectories(tokenizerDir);
        Files.createDirectories(workDir);
        VQVAEConfig config = config(o);
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            MultiScaleVQTokenizer tokenizer = MultiScaleVQTokenizer.fromConfig(config);
            tokenizer.initialize(manager, DataType.FLOAT32);
            LOG.info("world tokenizer: {} parameters, {}px images, latent {}x{}x{}, {} codes, scales {} ({} tokens)",
                    tokenizer.parameterCount(), config.imageSize(), config.latentSize(), config.latentSize(),
                    config.zChannels(), config.vocabSize(), config.vPatchNums(), config.tokenCount());
            WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, config.imageSize(), null);
            AdamW optimizer = AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                    .build(tokenizer.namedParameters());
            VQTokenizerTraining losses =
                    new VQTokenizerTraining(tokenizer, o.vqWeight(), o.reinitEvery(), o.loop().seed()).optimizer(optimizer);
            Trainer.LossFunction loss = batch -> {
                long start = (batch.step() * batch.count() + batch.index()) * (long) o.loop().batchSize();
                return losses.loss(data.batch(manager, start, o.loop().batchSize()).images());
            };
            Trainer.Result run = Trainer.builder(tokenizer, loss)
                    .optimizer(optimizer)
                    .loop(o.loop(), tokenizerDir, workDir, resume)
                    .clipGradNorm(1.0)
                    .config(o.toJson())
                    .build()
                    .run();
            long trained = run.endStep() - run.startStep();
            double trainSeconds = (System.nanoTime() - t0) / 1e9;
            if (trained > 0) {
                LOG.info(String.format(Locale.ROOT, "world tokenizer: %d steps in %.1f s (%.2f s/step); %s",
                        trained, trainSeconds, trainSeconds / trained, losses.usage()));
            }
            // the evaluation uses the weights as shipped (fp16)
            tokenizer.save(tokenizerDir, Dtype.F16);
            MultiScaleVQTokenizer shipped = MultiScaleVQTokenizer.fromPretrained(tokenizerDir, manager);
            shipped.freezeParameters();
            HeldOut eval = evaluate(shipped, o.heldOutPerCategory(), tokenizerDir.resolve("reconstructions.png"),
                    manager);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            double trainingUsage = losses.usage().records() > 0 ? losses.usage().overallUsagePercent() : Double.NaN;
            LOG.info(String.format(Locale.ROOT,
                    "world tokenizer: held-out PSNR %.2f dB (MSE %.5f) over %d renders; codes used on held-out %.1f%%"
                            + " (per scale %s)", eval.psnr(), eval.mse(), eval.images(), eval.usagePercent(),
                    java.util.Arrays.toString(eval.usagePerScale())));
            return new Result(tokenizerDir, run.endStep(), seconds, finalLoss, trainingUsage, eval.mse(), eval.psnr(),
                    eval.usagePercent(), eval.usagePerScale(), eval.images(), tokenizer.parameterCount());
        }
    }

    /**
     * Settings of a decoder fine-tune ({@link #fineTuneDecoder}).
     *
     * @param gradientWeight weight of the image-gradient L1 term ({@link io.github.t2i4j.core.training.LocalTextureLoss#gradientError})
     * @param textureWeight weight of the {@link io.github.t2i4j.core.training.LocalTextureLoss}: dots where the render has dots
     * @param loop steps, images per step, AdamW rate (warm-up, then cosine to a tenth), seed (of a new data
     *     stream), checkpoint interval, stop-after step and progress bar
     * @param heldOutPerCategory held-out renders per category for PSNR and the reconstruction ceiling
     */
    public record DecoderOptions(double gradientWeight, double textureWeight, TrainingLoop loop, int heldOutPerCategory)
            implements TrainingLoop.Holder<DecoderOptions> {
        public DecoderOptions {
            Objects.requireNonNull(loop, "loop");
            if (!(gradientWeight >= 0) || !(textureWeight >= 0) || heldOutPerCategory < 0) {
                throw new IllegalArgumentException("gradientWeight, textureWeight and heldOutPerCategory must be >= 0: "
                        + gradientWeight + ", " + textureWeight + ", " + heldOutPerCategory);
            }
        }

        /**
         * The world VAE's texture loss (L1 + gradient term 1 + texture term 2); 2,000 steps of batch 16
         * on data seed 1, AdamW 3e-4 (the tokenizer's own rate; 100 warm-up steps, cosine to 3e-5).
         */
        public static DecoderOptions defaults() {
            return new DecoderOptions(1.0, 2.0, new TrainingLoop(2_000, 16, 3e-4, 100, 0.0, 1, 250, 0, true), 32);
        }

        @Override
        public DecoderOptions withLoop(TrainingLoop l) {
            return new DecoderOptions(gradientWeight, textureWeight, l, heldOutPerCategory);
        }
    }

    /**
     * Fine-tunes only {@code post_quant_conv} and the decoder of the trained tokenizer {@code initFrom}
     * (encoder, {@code quant_conv}, codebook and phis frozen), as the world VAE's decoder was: the
     * token ids of every image stay the same, so a STAR transformer trained on {@code initFrom}'s
     * tokens (and its token cache) keeps working with the new decoder, which only draws them
     * better. The loss is L1 plus the gradient and texture terms on the decoding of the full-schedule
     * f-hat. Writes the tokenizer folder and, for a world-sized (64 px) tokenizer, {@code
     * reconstruction_ceiling.json} (the evaluator's all-correct rate on reconstructions of the
     * held-out renders: the most any transformer on this tokenizer can reach).
     */
    public static Result fineTuneDecoder(DecoderOptions o, Path initFrom, Path tokenizerDir, Path workDir, boolean resume)
            throws IOException {
        Files.createDirectories(tokenizerDir);
        Files.createDirectories(workDir);
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            MultiScaleVQTokenizer tokenizer = MultiScaleVQTokenizer.fromPretrained(initFrom, manager);
            VQVAEConfig config = tokenizer.config();
            tokenizer.namedParameters().forEach((name, p) ->
                    p.freeze(!(name.startsWith("decoder.") || name.startsWith("post_quant_conv."))));
            LOG.info("tokenizer decoder fine-tune from {}: encoder, quant_conv and quantizer frozen; gradient weight {},"
                    + " texture weight {}", initFrom, o.gradientWeight(), o.textureWeight());
            WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, config.imageSize(), null);
            ReconstructionLoss reconstruction = new ReconstructionLoss(o.gradientWeight(), o.textureWeight());
            Trainer.LossFunction loss = batch -> {
                long start = (batch.step() * batch.count() + batch.index()) * (long) o.loop().batchSize();
                NDArray x = data.batch(manager, start, o.loop().batchSize()).images();
                NDArray fhat = NoGrad.run(() -> {
                    List<NDArray> f = tokenizer.quantizeLatent(tokenizer.encode(x)).fhats();
                    return f.get(f.size() - 1);
                });
                return reconstruction.apply(tokenizer.decoder().forward(tokenizer.postQuantConv().forward(fhat)), x);
            };
            JsonObject cfg = o.toJson();
            cfg.addProperty("init_from", initFrom.toString());
            cfg.addProperty("decoder_only", true);
            Trainer.Result run = Trainer.builder(tokenizer, loss)
                    .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                            .build(tokenizer.namedParameters()))
                    .loop(o.loop(), tokenizerDir, workDir, resume)
                    .clipGradNorm(1.0)
                    .config(cfg)
                    .build()
                    .run();
            tokenizer.save(tokenizerDir, Dtype.F16);
            MultiScaleVQTokenizer shipped = MultiScaleVQTokenizer.fromPretrained(tokenizerDir, manager);
            shipped.freezeParameters();
            HeldOut eval = evaluate(shipped, o.heldOutPerCategory(), tokenizerDir.resolve("reconstructions.png"), manager);
            // the evaluator judges world-sized renders only
            Map<String, Double> ceiling = Map.of();
            if (config.imageSize() == SceneRenderer.DEFAULT_SIZE && o.heldOutPerCategory() > 0) {
                ceiling = ReconstructionCeiling.measure(shipped::reconstruct, List.of(Category.values()),
                        o.heldOutPerCategory(), manager);
                JsonFiles.writeObject(tokenizerDir.resolve("reconstruction_ceiling.json"),
                        new Gson().toJsonTree(ceiling).getAsJsonObject());
            }
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            LOG.info(String.format(Locale.ROOT, "tokenizer decoder: held-out PSNR %.2f dB over %d renders; evaluator"
                    + " all-correct on reconstructions %s", eval.psnr(), eval.images(), ceiling));
            return new Result(tokenizerDir, run.endStep(), (System.nanoTime() - t0) / 1e9, finalLoss, Double.NaN,
                    eval.mse(), eval.psnr(), eval.usagePercent(), eval.usagePerScale(), eval.images(),
                    tokenizer.parameterCount());
        }
    }

    /** Held-out reconstruction error and code usage. */
    record HeldOut(double mse, double psnr, double usagePercent, double[] usagePerScale, int images) {}

    /**
     * Reconstruction MSE (pixels in [0, 1]) and PSNR of the first {@code perCategory} held-out
     * renders of every category through encode, the full scale schedule and decode (clamped), and
     * the share of codes picked at least once, overall and per scale; writes a grid of the first
     * renders and their reconstructions to {@code grid} (if not null).
     */
    static HeldOut evaluate(MultiScaleVQTokenizer tokenizer, int perCategory, Path grid, NDManager manager) {
        VQVAEConfig c = tokenizer.config();
        List<WorldExample> examples = HeldOutRenders.interleaved(perCategory);
        int scales = c.scales();
        if (examples.isEmpty()) {
            return new HeldOut(Double.NaN, Double.NaN, Double.NaN, new double[scales], 0);
        }
        boolean[][] used = new boolean[scales][c.vocabSize()];
        ReconstructionError error = new ReconstructionError(grid != null);
        int chunk = 32;
        for (int start = 0; start < examples.size(); start += chunk) {
            List<WorldExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
            try (NDManager m = manager.newSubManager()) {
                NDArray x = HeldOutRenders.render(part, c.imageSize(), m);
                VectorQuantizer2.Quantized q = tokenizer.quantizeLatent(tokenizer.encode(x));
                for (int k = 0; k < scales; k++) {
                    for (long id : q.idxBl().get(k).toLongArray()) {
                        used[k][(int) id] = true;
                    }
                }
                error.add(x, tokenizer.fhatToImg(q.fhats().get(scales - 1)));
            }
        }
        if (grid != null) {
            error.writeGrid(grid);
        }
        double[] perScale = new double[scales];
        int any = 0;
        for (int v = 0; v < c.vocabSize(); v++) {
            boolean u = false;
            for (int k = 0; k < scales; k++) {
                u |= used[k][v];
            }
            any += u ? 1 : 0;
        }
        for (int k = 0; k < scales; k++) {
            int n = 0;
            for (boolean u : used[k]) {
                n += u ? 1 : 0;
            }
            perScale[k] = 100.0 * n / c.vocabSize();
        }
        return new HeldOut(error.mse(), error.psnr(), 100.0 * any / c.vocabSize(), perScale, examples.size());
    }
}
