package io.github.t2i4j.core.world.clip;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import io.github.t2i4j.core.text.BaseModelOutputWithPooling;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.clip.CLIPConfig;
import io.github.t2i4j.core.models.clip.CLIPImageProcessor;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.models.clip.CLIPVisionConfig;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.CaptionGrammar;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldBatch;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains the world's small CLIP contrastively (symmetric InfoNCE) on the training split's
 * (render, caption) pairs: the world tokenizer is built from the grammar's vocabulary, batch
 * {@code k} is samples {@code k*B .. (k+1)*B-1} of the seeded stream, so a resumed run sees
 * exactly the data an uninterrupted one would. The result is a transformers-layout folder
 * (config, fp16 weights, tokenizer, preprocessor) plus the training log and loss plot.
 */
public final class WorldClipTraining {
    private static final Logger LOG = LoggerFactory.getLogger(WorldClipTraining.class);

    private WorldClipTraining() {}

    /**
     * Model size and optimisation settings.
     *
     * @param loop steps, pairs per step, AdamW rate (warm-up, then cosine to a tenth) and weight decay
     *     (not on biases and norms), seed, checkpoint interval and progress bar; the job runs to the
     *     end ({@code stopAfter} must be 0)
     */
    public record Options(
            int hiddenSize,
            int layers,
            int heads,
            int projectionDim,
            int patchSize,
            TrainingLoop loop,
            boolean hardNegatives,
            double sequenceWeight) implements TrainingLoop.Holder<Options> {

        public Options {
            Objects.requireNonNull(loop, "loop");
            if (loop.stopAfter() != 0) {
                throw new IllegalArgumentException("the world CLIP runs to its last step: stopAfter must be 0, got "
                        + loop.stopAfter());
            }
            if (sequenceWeight < 0 || !Double.isFinite(sequenceWeight)) {
                throw new IllegalArgumentException("sequence weight must be finite and >= 0, got " + sequenceWeight);
            }
            if (sequenceWeight > 0 && !hardNegatives) {
                throw new IllegalArgumentException(
                        "the sequence separation term compares each caption with its hard negative: it needs hard negatives");
            }
        }

        /** The shipped configuration (about 1.7M parameters). */
        public static Options defaults() {
            return new Options(128, 4, 4, 128, 8, new TrainingLoop(1500, 128, 5e-4, 100, 0.1, 0, 100, 0, true), false,
                    0);
        }

        /** A width-32, one-layer CLIP for one step of two pairs: for tests and smoke runs. */
        public static Options tiny() {
            return new Options(32, 1, 2, 32, 16, new TrainingLoop(1, 2, 1e-3, 1, 0, 0, 0, 0, false), false, 0);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(hiddenSize, layers, heads, projectionDim, patchSize, l, hardNegatives, sequenceWeight);
        }

        /**
         * With {@code s} steps. Unlike the other jobs' options, the world CLIP's keeps its warm-up as
         * it is (the schedule clamps it to the steps).
         */
        @Override
        public Options withSteps(long s) {
            return withLoop(loop.withSteps(s).withWarmupSteps(loop.warmupSteps()));
        }

        /** With (or without) a {@link HardNegatives} caption per pair in the loss. */
        public Options withHardNegatives(boolean on) {
            return new Options(hiddenSize, layers, heads, projectionDim, patchSize, loop, on, sequenceWeight);
        }

        /**
         * With {@code weight} times the {@link SequenceSeparation} margin between each caption's and
         * its hard negative's sequence output (needs hard negatives; 0 switches it off).
         */
        public Options withSequenceWeight(double weight) {
            return new Options(hiddenSize, layers, heads, projectionDim, patchSize, loop, hardNegatives, weight);
        }

        /** The run's settings as JSON (stored in the checkpoints), less the stop-after step it has no use for. */
        @Override
        public JsonObject toJson() {
            JsonObject o = TrainingLoop.Holder.super.toJson();
            o.remove("stopAfter");
            return o;
        }
    }

    /** What a run produced. */
    public record Result(Path modelDir, long steps, double seconds, double finalLoss, ClipRetrieval.Result retrieval,
            Map<HardNegatives.Kind, Double> hardNegativeAccuracy, Map<HardNegatives.Kind, Double> sequenceCosine,
            long parameters) {}

    /** The world tokenizer: every word the caption grammar can produce. */
    public static WorldTokenizerBuilder tokenizer() {
        return new WorldTokenizerBuilder(CaptionGrammar.vocabulary());
    }

    /** The CLIP configuration for the world at {@code options}' size. */
    public static CLIPConfig config(Options o, WorldTokenizerBuilder tokenizer) {
        CLIPTextConfig text = tokenizer.textConfig(o.hiddenSize(), 4 * o.hiddenSize(), o.layers(), o.heads(), "gelu",
                o.projectionDim());
        CLIPVisionConfig vision = new CLIPVisionConfig(o.hiddenSize(), 4 * o.hiddenSize(), o.layers(), o.heads(),
                SceneRenderer.DEFAULT_SIZE, o.patchSize(), 3, "gelu", 1e-5f, o.projectionDim());
        return new CLIPConfig(text, vision, o.projectionDim(), 2.6592f);
    }

    /**
     * Trains (resuming from {@code workDir}'s newest checkpoint when {@code resume}) and writes
     * the model to {@code modelDir}.
     */
    public static Result train(Options o, Path modelDir, Path workDir, boolean resume) throws java.io.IOException {
        Files.createDirectories(modelDir);
        Files.createDirectories(workDir);
        WorldTokenizerBuilder vocab = tokenizer();
        vocab.write(modelDir);
        CLIPConfig config = config(o, vocab);
        long t0 = System.nanoTime();
        try (NDManager manager = NDManager.newBaseManager();
                CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(modelDir)) {
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            CLIPModel model = new CLIPModel(config, CLIPImageProcessor.world());
            model.initialize(manager, DataType.FLOAT32);
            LOG.info("world CLIP: {} parameters", model.parameterCount());
            WorldDataset data = new WorldDataset(o.loop().seed(), WorldSplit.TRAIN, SceneRenderer.DEFAULT_SIZE, null);
            Trainer.LossFunction loss = batch -> {
                WorldBatch b = data.batch(manager, batch.step() * (long) o.loop().batchSize(), o.loop().batchSize());
                BaseModelOutputWithPooling textOut = model.textModel().forward(tokenizer.encode(b.captions()).inputIds(manager), null);
                NDArray text = model.encodeText(textOut);
                NDArray image = model.encodeImage(b.images());
                if (!o.hardNegatives()) {
                    return model.contrastiveLoss(text, image);
                }
                SplittableRandom rng = batch.random();
                List<String> negatives = new ArrayList<>();
                for (int k = 0; k < b.samples().size(); k++) {
                    String neg = HardNegatives.caption(b.samples().get(k).example(), rng);
                    // no contradicting edit found (rare): another pair's caption, an ordinary negative
                    negatives.add(neg != null ? neg : b.captions().get((k + 1) % b.captions().size()));
                }
                BaseModelOutputWithPooling negativeOut = model.textModel().forward(tokenizer.encode(negatives).inputIds(manager), null);
                NDArray contrastive = model.contrastiveLoss(text, image, model.encodeText(negativeOut));
                if (o.sequenceWeight() == 0) {
                    return contrastive;
                }
                NDArray separation = SequenceSeparation.loss(textOut.lastHiddenState(), negativeOut.lastHiddenState(),
                        SequenceSeparation.DEFAULT_MAX_COSINE);
                return contrastive.add(separation.mul(o.sequenceWeight()));
            };
            Trainer.Result run = Trainer.builder(model, loss)
                    .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                            .build(model.namedParameters()))
                    .loop(o.loop(), modelDir, workDir, resume)
                    .clipGradNorm(1.0)
                    .config(o.toJson())
                    .build()
                    .run();
            double seconds = (System.nanoTime() - t0) / 1e9;
            model.save(modelDir, Dtype.F16);
            List<WorldExample> heldOut = HeldOutSet.loadCompBench();
            ClipRetrieval.Result retrieval = ClipRetrieval.evaluate(model, tokenizer, heldOut, 100, manager);
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            Map<HardNegatives.Kind, Double> attributes =
                    ClipRetrieval.hardNegativeAccuracy(model, tokenizer, heldOut, o.loop().seed(), manager);
            Map<HardNegatives.Kind, Double> sequenceCosine =
                    SequenceSeparation.heldOutCosine(model, tokenizer, heldOut, o.loop().seed(), manager);
            LOG.info("held-out retrieval (groups of 100): image->text {}, text->image {}; own caption preferred to a"
                    + " hard negative: {}; sequence cosine to the hard negative: {}", retrieval.imageToText(),
                    retrieval.textToImage(), attributes, sequenceCosine);
            return new Result(modelDir, run.endStep(), seconds, finalLoss, retrieval, attributes, sequenceCosine,
                    model.parameterCount());
        }
    }
}
