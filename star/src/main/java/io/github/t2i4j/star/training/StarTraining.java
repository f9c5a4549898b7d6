package io.github.t2i4j.star.training;

import io.github.t2i4j.core.io.FileDigest;
import io.github.t2i4j.core.world.HeldOutRenders;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.EMA;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import io.github.t2i4j.core.world.ldm.LdmExport;
import io.github.t2i4j.star.StarPipeline;
import io.github.t2i4j.star.model.NormalizedRope2d;
import io.github.t2i4j.star.model.PositionEncoding;
import io.github.t2i4j.star.model.StarConfig;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.sample.SamplingOptions;
import io.github.t2i4j.star.sample.StarTextEncoder;
import io.github.t2i4j.star.sample.TextCondition;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import io.github.t2i4j.star.tokenizer.VQVAEConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the {@link StarTransformer} on the bundled world: next-scale prediction of the frozen
 * multi-scale VQ tokenizer's ids ({@link StarWorldTokenizerTraining}), conditioned on the frozen
 * world-CLIP text tower ({@link StarTextEncoder}: sequence features with their padding mask for
 * cross-attention, the pooled feature for the start tokens).
 *
 * <p>Each step: {@link TrainingBatch#draw} picks B cached samples uniformly and drops each caption to
 * "" with probability {@code condDropRate} (STAR's 10%); the ids of all scales come from the
 * {@link TokenCache} (tokenized once, kept in the work folder); the teacher-forcing input is
 * rebuilt from them by the tokenizer (VAR's {@code idxBl_to_var_input}); one forward over the whole
 * schedule with the block-causal mask gives the logits of every token, and the loss is the
 * cross-entropy over all tokens of all scales (each token weighted equally, as in VAR). AdamW (weight
 * decay off biases, scales, position and level embeddings, as VAR's parameter filter), warm-up
 * then cosine, global gradient-norm clipping (STAR's 2), and an EMA of the weights, which is what
 * gets saved. All randomness is drawn in Java from the micro-batch's stream and the model has no
 * dropout, so a resumed run reproduces the uninterrupted one exactly.
 *
 * <p>{@link #fineTuneAt} is the resolution-transfer path: a trained transformer moved to a longer
 * scale schedule by {@link ScheduleTransfer} and trained on, with the same tokenizer, at the larger
 * image size.
 *
 * <p>At the end the saved (fp16) EMA model is evaluated: the teacher-forced cross-entropy per scale
 * on held-out renders, and an image grid of held-out prompts ({@code samples.png}).
 */
public final class StarTraining {
    private static final Logger LOG = LoggerFactory.getLogger(StarTraining.class);

    /** The token cache file in the work folder. */
    static final String TOKEN_CACHE = "token-cache.safetensors";

    private StarTraining() {}

    /**
     * Model size and optimisation settings.
     *
     * @param embedDim transformer width C
     * @param depth blocks
     * @param numHeads attention heads (head dim C / heads, a multiple of 4)
     * @param mlpRatio FFN hidden width / C
     * @param positions STAR's normalised RoPE or VAR's absolute table (for the resolution-transfer comparison)
     * @param condDropRate probability of training a sample on the empty caption
     * @param tokenCacheSize training samples tokenized once; batches are drawn uniformly from them
     * @param loop steps, samples per step, AdamW rate (warm-up, then cosine to a tenth) and weight decay
     *     (STAR: 0.05; not on {@link StarTraining#noWeightDecay}), data and initialisation seed, checkpoint interval,
     *     stop-after step and progress bar
     * @param clipGradNorm global gradient-norm clip (STAR: 2)
     * @param emaMaxDecay the EMA decay's cap (warm-up 1 - (1 + n)^(-2/3) until then)
     * @param validationPerCategory held-out renders per category for the validation loss (0: none)
     * @param samplePrompts held-out prompts drawn into samples.png at the end (0: none)
     */
    public record Options(
            int embedDim,
            int depth,
            int numHeads,
            double mlpRatio,
            PositionEncoding positions,
            double condDropRate,
            int tokenCacheSize,
            TrainingLoop loop,
            double clipGradNorm,
            double emaMaxDecay,
            int validationPerCategory,
            int samplePrompts) implements TrainingLoop.Holder<Options> {

        public Options {
            if (positions == null) {
                throw new IllegalArgumentException("positions must be given");
            }
            if (!(condDropRate >= 0 && condDropRate < 1)) {
                throw new IllegalArgumentException("condDropRate must be in [0, 1): " + condDropRate);
            }
            if (tokenCacheSize < 1) {
                throw new IllegalArgumentException("tokenCacheSize must be positive: " + tokenCacheSize);
            }
            Objects.requireNonNull(loop, "loop");
            if (validationPerCategory < 0 || samplePrompts < 0) {
                throw new IllegalArgumentException("validationPerCategory and samplePrompts must be >= 0");
            }
        }

        /**
         * The world model: width 256, 6 blocks of 4 heads (head dim 64), FFN ratio 4, normalised
         * RoPE (theta 10000, N 64) over scales 1,2,3,4,6,8 (130 tokens), about 6.2M parameters
         * with the default tokenizer's 1024 codes and the world CLIP's 128-wide text; STAR's 10%
         * caption dropout, weight decay 0.05 and gradient clip 2; AdamW 5e-4 (200 warm-up steps,
         * cosine to 5e-5), EMA warm-up to 0.9995; a token cache of 65,536 training samples (8.5M
         * ids, 34 MB); 3,000 steps of batch 32 (each cached sample seen about 1.5 times).
         *
         * <p>Estimated time on the 2-core CPU: about 1 s per step, 50 to 75 minutes for the 3,000
         * steps, plus 6 to 12 minutes to build the token cache once. Measured while the CPU was
         * shared with another training job (load average 7 to 10): 2.6 to 3.2 CPU-seconds per step
         * of the default model (text encoding, teacher-forcing input and the transformer's forward
         * and backward), i.e. at most 1.6 s per step when unshared, and 1.4 CPU-seconds to render
         * and tokenize 128 samples for the cache.
         */
        public static Options defaults() {
            return new Options(256, 6, 4, 4.0, PositionEncoding.NORMALIZED_ROPE, 0.1, 65_536,
                    new TrainingLoop(3_000, 32, 5e-4, 200, 0.05, 0, 250, 0, true), 2.0, 0.9995, 8, 8);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(embedDim, depth, numHeads, mlpRatio, positions, condDropRate, tokenCacheSize, l,
                    clipGradNorm, emaMaxDecay, validationPerCategory, samplePrompts);
        }

        public Options withPositions(PositionEncoding p) {
            return new Options(embedDim, depth, numHeads, mlpRatio, p, condDropRate, tokenCacheSize, loop,
                    clipGradNorm, emaMaxDecay, validationPerCategory, samplePrompts);
        }

        public Options withTokenCache(int size) {
            return new Options(embedDim, depth, numHeads, mlpRatio, positions, condDropRate, size, loop,
                    clipGradNorm, emaMaxDecay, validationPerCategory, samplePrompts);
        }

        public Options withEvaluation(int validationPerCategory, int samplePrompts) {
            return new Options(embedDim, depth, numHeads, mlpRatio, positions, condDropRate, tokenCacheSize, loop,
                    clipGradNorm, emaMaxDecay, validationPerCategory, samplePrompts);
        }
    }

    /**
     * What a run produced.
     *
     * @param transformerDir the transformer folder written (EMA weights, fp16)
     * @param config the transformer's configuration
     * @param steps the last step trained
     * @param seconds wall time of this call
     * @param trainSeconds of which the training loop (this call's steps only)
     * @param finalLoss training loss of the last step
     * @param validationLoss held-out teacher-forced cross-entropy of the saved EMA model, mean over
     *     all tokens (NaN when not measured)
     * @param validationPerScale the same per scale
     * @param validationBeforeTraining for a resolution transfer, the held-out cross-entropy of the
     *     moved model before any fine-tuning step (what the new schedule costs by itself); NaN otherwise
     * @param parameters the transformer's parameter count
     */
    public record Result(
            Path transformerDir,
            StarConfig config,
            long steps,
            double seconds,
            double trainSeconds,
            double finalLoss,
            double validationLoss,
            double[] validationPerScale,
            double validationBeforeTraining,
            long parameters) {}

    /** The transformer configuration for a tokenizer and a text encoder width. */
    public static StarConfig config(Options o, VQVAEConfig tokenizer, int textHiddenSize) {
        int[] pns = tokenizer.vPatchNums().stream().mapToInt(Integer::intValue).toArray();
        return new StarConfig(tokenizer.vocabSize(), tokenizer.zChannels(), o.embedDim(), o.depth(), o.numHeads(),
                o.mlpRatio(), textHiddenSize, pns, NormalizedRope2d.DEFAULT_THETA, NormalizedRope2d.DEFAULT_NORMALIZE,
                o.condDropRate(), o.positions());
    }

    /**
     * VAR's weight-decay filter: no decay on biases, 1-D parameters, attention scales, the start
     * and position tables and the level embedding.
     */
    public static Predicate<String> noWeightDecay(StarTransformer model) {
        Map<String, Shape> shapes = model.namedShapes();
        return name -> {
            Shape s = shapes.get(name);
            return (s != null && s.dimension() <= 1) || name.endsWith("bias") || name.contains("scale_mul")
                    || name.startsWith("pos_") || name.startsWith("lvl_embed");
        };
    }

    /**
     * Trains a new transformer (resuming from {@code workDir}'s newest checkpoint when {@code
     * resume}) on the scale schedule of the tokenizer folder, and writes it to {@code
     * transformerDir}.
     *
     * @param tokenizerDir the trained tokenizer ({@link StarWorldTokenizerTraining}), frozen
     * @param worldClipDir the world CLIP (transformers CLIPModel folder with its tokenizer), whose text tower is frozen
     */
    public static Result train(Options o, Path tokenizerDir, Path worldClipDir, Path transformerDir, Path workDir,
            boolean resume) throws IOException {
        long t0 = System.nanoTime();
        Path textDir = prepare(worldClipDir, transformerDir, workDir);
        try (NDManager manager = NDManager.newBaseManager();
                StarTextEncoder text = StarTextEncoder.fromPretrained(textDir, worldClipDir, manager)) {
            MultiScaleVQTokenizer tokenizer = MultiScaleVQTokenizer.fromPretrained(tokenizerDir, manager);
            tokenizer.freezeParameters();
            StarConfig config = config(o, tokenizer.config(), text.hiddenSize());
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            StarTransformer model = new StarTransformer(config);
            model.initialize(manager, DataType.FLOAT32);
            return run(o, model, tokenizer, tokenizerDir, text, textDir, worldClipDir, transformerDir, workDir, resume,
                    manager, t0, Double.NaN);
        }
    }

    /**
     * Resolution transfer: loads a trained transformer folder, moves it to the longer scale
     * schedule {@code patchNums} ({@link ScheduleTransfer}: nothing changes for RoPE but a level
     * embedding row per added scale; VAR's absolute table is resized), and trains it on for {@code
     * o.loop().steps()} steps on the same tokenizer at the larger image size it implies (e.g. 96 px for
     * 1,2,3,4,6,8,12 with a factor-8 tokenizer). The architecture fields of {@code o} are ignored
     * (the trained model's configuration rules); its optimisation fields apply.
     */
    public static Result fineTuneAt(Options o, Path trainedTransformerDir, int[] patchNums, Path tokenizerDir,
            Path worldClipDir, Path transformerDir, Path workDir, boolean resume) throws IOException {
        long t0 = System.nanoTime();
        Path textDir = prepare(worldClipDir, transformerDir, workDir);
        try (NDManager manager = NDManager.newBaseManager();
                StarTextEncoder text = StarTextEncoder.fromPretrained(textDir, worldClipDir, manager)) {
            List<Integer> schedule = Arrays.stream(patchNums).boxed().toList();
            MultiScaleVQTokenizer tokenizer = MultiScaleVQTokenizer.fromPretrained(tokenizerDir, schedule, manager);
            tokenizer.freezeParameters();
            StarTransformer trained = StarTransformer.fromPretrained(trainedTransformerDir, manager);
            StarConfig tc = trained.config();
            if (tc.vocabSize() != tokenizer.config().vocabSize() || tc.cvae() != tokenizer.config().zChannels()
                    || tc.inDimCross() != text.hiddenSize()) {
                throw new IllegalArgumentException("the transformer in " + trainedTransformerDir
                        + " was not trained on this tokenizer and text encoder: " + tc);
            }
            StarTransformer model = ScheduleTransfer.extend(trained, patchNums, manager);
            LOG.info("fine-tuning at {} px on scales {}", tokenizer.config().imageSize(), schedule);
            double before = Double.NaN;
            if (o.validationPerCategory() > 0) {
                double[] v = validationLoss(model, tokenizer, text, o.validationPerCategory(), manager);
                before = v[schedule.size()];
                LOG.info("moved to the new schedule, before fine-tuning: held-out cross-entropy {} nats/token, per"
                        + " scale {}", before, Arrays.toString(Arrays.copyOf(v, schedule.size())));
            }
            return run(o, model, tokenizer, tokenizerDir, text, textDir, worldClipDir, transformerDir, workDir, resume,
                    manager, t0, before);
        }
    }

    /** Creates the folders and writes the text encoder exactly as the exported model will hold it. */
    private static Path prepare(Path worldClipDir, Path transformerDir, Path workDir) throws IOException {
        Files.createDirectories(transformerDir);
        Files.createDirectories(workDir);
        Path textDir = workDir.resolve("text_encoder");
        LdmExport.writeTextEncoder(worldClipDir, textDir);
        return textDir;
    }

    private static Result run(Options o, StarTransformer model, MultiScaleVQTokenizer tokenizer, Path tokenizerDir,
            StarTextEncoder text, Path textDir, Path worldClipDir, Path transformerDir, Path workDir, boolean resume,
            NDManager manager, long t0, double validationBefore) {
        StarConfig config = model.config();
        List<Integer> pns = tokenizer.config().vPatchNums();
        int imageSize = tokenizer.config().imageSize();
        LOG.info("STAR transformer: {} parameters; {} px, scales {} ({} tokens), {} codes, positions {}",
                model.parameterCount(), imageSize, pns, config.tokens(), config.vocabSize(), config.positions());
        EMA ema = EMA.of(model, EMA.Decay.warmup(o.emaMaxDecay(), 2.0 / 3));
        WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, imageSize, null);
        String digest = FileDigest.of(tokenizerDir.resolve("config.json"),
                tokenizerDir.resolve(MultiScaleVQTokenizer.WEIGHTS_FILE));
        Trainer.Result run;
        double trainSeconds;
        try (TokenCache cache = TokenCache.loadOrBuild(tokenizer, digest, data, o.tokenCacheSize(),
                workDir.resolve(TOKEN_CACHE), manager)) {
            Trainer.LossFunction loss = batch -> {
                TrainingBatch b = TrainingBatch.draw(batch.random(), o.loop().batchSize(), cache.size(), o.condDropRate(),
                        i -> data.example(i).caption());
                NDArray ids = cache.rows(b.indices(), manager);
                NDArray input = tokenizer.idxBlToVarInput(cache.split(ids), pns);
                TextCondition c = text.encode(b.captions(), manager);
                NDArray logits = model.forward(input, c.sequence(), c.keepMask(), c.pooled());
                return crossEntropy(logits, ids).mean();
            };
            JsonObject cfg = o.toJson();
            cfg.add("model", config.toJson());
            long tTrain = System.nanoTime();
            run = Trainer.builder(model, loss)
                    .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(noWeightDecay(model))
                            .build(model.namedParameters()))
                    .loop(o.loop(), transformerDir, workDir, resume)
                    .clipGradNorm(o.clipGradNorm())
                    .ema(ema)
                    .config(cfg)
                    .build()
                    .run();
            trainSeconds = (System.nanoTime() - tTrain) / 1e9;
        }
        long trained = run.endStep() - run.startStep();
        if (trained > 0) {
            LOG.info(String.format(Locale.ROOT, "STAR transformer: %d steps in %.1f s (%.2f s/step)", trained,
                    trainSeconds, trainSeconds / trained));
        }
        // the EMA weights are the model; keep the training weights in the live parameters
        ema.swap();
        try {
            model.save(transformerDir, Dtype.F16);
        } finally {
            ema.swap();
        }
        StarTransformer shipped = StarTransformer.fromPretrained(transformerDir, manager);
        shipped.freezeParameters();
        double[] perScale = new double[pns.size()];
        Arrays.fill(perScale, Double.NaN);
        double validation = Double.NaN;
        if (o.validationPerCategory() > 0) {
            double[] v = validationLoss(shipped, tokenizer, text, o.validationPerCategory(), manager);
            validation = v[pns.size()];
            perScale = Arrays.copyOf(v, pns.size());
            LOG.info("STAR transformer: held-out cross-entropy (EMA, fp16) {} nats/token, per scale {}", validation,
                    Arrays.toString(perScale));
        }
        if (o.samplePrompts() > 0) {
            writeSamples(shipped, tokenizer, textDir, worldClipDir, o.samplePrompts(),
                    transformerDir.resolve("samples.png"), manager);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
        return new Result(transformerDir, config, run.endStep(), seconds, trainSeconds, finalLoss, validation, perScale,
                validationBefore, model.parameterCount());
    }

    /**
     * The cross-entropy of every token: logits [B, L, V] against ids [B, L] (INT64) to [B, L]
     * (natural log; the training loss is its mean).
     */
    public static NDArray crossEntropy(NDArray logits, NDArray ids) {
        try (NDArray logp = logits.logSoftmax(2);
                NDArray target = ids.expandDims(2);
                NDArray picked = logp.gather(target, 2)) {
            return picked.squeeze(2).neg();
        }
    }

    /**
     * The teacher-forced cross-entropy on the first {@code perCategory} held-out renders of every
     * category with their captions: per scale, then (last entry) the mean over all tokens.
     */
    static double[] validationLoss(StarTransformer model, MultiScaleVQTokenizer tokenizer, StarTextEncoder text,
            int perCategory, NDManager manager) {
        List<WorldExample> examples = HeldOutRenders.interleaved(perCategory);
        List<Integer> pns = tokenizer.config().vPatchNums();
        int scales = pns.size();
        double[] sums = new double[scales];
        long[] counts = new long[scales];
        int chunk = 32;
        for (int start = 0; start < examples.size(); start += chunk) {
            List<WorldExample> part = examples.subList(start, Math.min(examples.size(), start + chunk));
            try (NDManager m = manager.newSubManager()) {
                NDArray images = HeldOutRenders.render(part, tokenizer.config().imageSize(), m);
                List<NDArray> idxBl = tokenizer.imgToIdxBl(images);
                NDArray ids = NDArrays.concat(new NDList(idxBl), 1);
                NDArray input = tokenizer.idxBlToVarInput(idxBl, pns);
                TextCondition c = text.encode(part.stream().map(WorldExample::caption).toList(), m);
                NDArray ce = crossEntropy(model.forward(input, c.sequence(), c.keepMask(), c.pooled()), ids);
                float[] v = ce.toFloatArray();
                int l = (int) ce.getShape().get(1);
                for (int i = 0; i < part.size(); i++) {
                    int t = 0;
                    for (int k = 0; k < scales; k++) {
                        for (int j = 0; j < pns.get(k) * pns.get(k); j++, t++) {
                            sums[k] += v[i * l + t];
                            counts[k]++;
                        }
                    }
                }
            }
        }
        double[] out = new double[scales + 1];
        double total = 0;
        long n = 0;
        for (int k = 0; k < scales; k++) {
            out[k] = sums[k] / counts[k];
            total += sums[k];
            n += counts[k];
        }
        out[scales] = total / n;
        return out;
    }

    /** Draws the first {@code n} held-out prompts (interleaved categories) with STAR's sampling defaults. */
    private static void writeSamples(StarTransformer model, MultiScaleVQTokenizer tokenizer, Path textDir,
            Path worldClipDir, int n, Path file, NDManager manager) {
        List<WorldExample> examples = HeldOutRenders.interleaved((n + 6) / 7).subList(0, n);
        List<String> prompts = examples.stream().map(WorldExample::caption).toList();
        NDManager sub = manager.newSubManager();
        // the pipeline owns (and closes) its manager and text encoder, not the models
        try (StarPipeline pipe = new StarPipeline("STAR (training samples)", sub,
                StarTextEncoder.fromPretrained(textDir, worldClipDir, sub), model, tokenizer,
                SamplingOptions.defaults(0))) {
            List<BufferedImage> images = pipe.generate(prompts, 0);
            Images.writePng(Images.grid(images, prompts, Math.min(4, images.size())), file);
        }
    }
}
