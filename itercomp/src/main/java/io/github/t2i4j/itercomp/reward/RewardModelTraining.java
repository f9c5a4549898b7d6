package io.github.t2i4j.itercomp.reward;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.models.clip.CLIPConfig;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.AtomicFiles;
import io.github.t2i4j.core.io.Checkpoints;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.io.TensorSource;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.ModelFolder;
import io.github.t2i4j.core.text.BatchEncoding;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.training.AdamW;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.training.Trainer;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.preference.PreferencePair;
import io.github.t2i4j.itercomp.preference.PreferenceStore;
import io.github.t2i4j.itercomp.preference.RankedImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains one aspect's {@link RewardModel} on the (better, worse) pairs of a {@link PreferenceStore}
 * with the Bradley-Terry loss, as ImageReward and IterComp do: the vision tower starts from the
 * world CLIP (its lower layers frozen), the text encoder and head from scratch. Each step draws
 * {@code batchSize} training pairs uniformly (from the trainer's per-step stream, so a resumed run
 * repeats the uninterrupted one) and scores both images of every pair in one forward pass.
 *
 * <p>At the end the score is normalised as ImageReward's is, by the mean and standard deviation of
 * the raw scores of the training images, written into the saved config; then the pairwise
 * accuracy on the held-out rankings' pairs ({@link PreferenceStore#isHeldOut}) and on the training
 * pairs is measured and written to {@code metrics.json}. (ImageReward keeps the checkpoint of best
 * validation loss; here the last one is kept.)
 */
public final class RewardModelTraining {
    private static final Logger LOG = LoggerFactory.getLogger(RewardModelTraining.class);
    /** The name of a reward model trained on every aspect's pairs (the one-reward-model ablation). */
    public static final String ALL = "all";
    /** Pairs per scoring call when measuring accuracy. */
    private static final int EVAL_CHUNK = 64;

    private RewardModelTraining() {}

    /**
     * Settings.
     *
     * @param textLayers layers of the text encoder (self-attention, cross-attention to the image, MLP)
     * @param frozenFraction fraction of the vision tower's layers kept frozen (ImageReward: 0.7)
     * @param tieWeight how often a pair the annotator scored equal (its order set by the CLIP score
     *     alone) is drawn, relative to a pair the annotator's score decides: 1 treats all pairs alike
     *     (the paper), 0 trains on decided pairs only, so the model learns composition rather than
     *     the CLIP score
     * @param validateEvery steps between measurements of the pairwise accuracy on a validation split
     *     (the ranking just before each held-out one: one in ten of all rankings, kept out of
     *     training); the weights of the best measurement are the ones saved, as ImageReward keeps its
     *     best validation checkpoint (0: no validation, the last weights)
     * @param loop steps, pairs per step, AdamW rate (warm-up, then cosine to a tenth) and weight
     *     decay, seed, checkpoint interval, stop-after step and progress bar
     * @param clipScorePrior whether the model adds the world CLIP's image-text similarity to its
     *     head's score and starts as that score ({@link RewardModelConfig#hasClipScore()})
     */
    public record Options(int textLayers, double frozenFraction, double tieWeight, int validateEvery, TrainingLoop loop,
            boolean clipScorePrior)
            implements TrainingLoop.Holder<Options> {
        public Options {
            if (textLayers < 1) {
                throw new IllegalArgumentException("textLayers must be positive: " + textLayers);
            }
            if (!(frozenFraction >= 0 && frozenFraction <= 1)) {
                throw new IllegalArgumentException("frozenFraction must be in [0, 1]: " + frozenFraction);
            }
            if (validateEvery < 0) {
                throw new IllegalArgumentException("validateEvery must be >= 0: " + validateEvery);
            }
            if (!(tieWeight >= 0 && tieWeight <= 1)) {
                throw new IllegalArgumentException("tieWeight must be in [0, 1]: " + tieWeight);
            }
            Objects.requireNonNull(loop, "loop");
        }

        /**
         * Two text layers, ImageReward's 70% of the vision tower frozen, 1,000 steps of 32 pairs at
         * AdamW 2e-4 (50 warm-up steps, cosine to a tenth, weight decay 0.01), checkpoints every 250;
         * every pair alike (tie weight 1), as the paper; validation every 50 steps, the best weights kept.
         */
        public static Options defaults() {
            return new Options(2, 0.7, 1.0, 50, new TrainingLoop(1_000, 32, 2e-4, 50, 0.01, 0, 250, 0, true), false);
        }

        @Override
        public Options withLoop(TrainingLoop l) {
            return new Options(textLayers, frozenFraction, tieWeight, validateEvery, l, clipScorePrior);
        }

        /** These settings with another validation interval (0: none). */
        public Options withValidateEvery(int every) {
            return new Options(textLayers, frozenFraction, tieWeight, every, loop, clipScorePrior);
        }

        /** These settings with another tie weight. */
        public Options withTieWeight(double w) {
            return new Options(textLayers, frozenFraction, w, validateEvery, loop, clipScorePrior);
        }

        /** These settings with or without the CLIP-score prior. */
        public Options withClipScorePrior(boolean prior) {
            return new Options(textLayers, frozenFraction, tieWeight, validateEvery, loop, prior);
        }
    }

    /**
     * What a run produced.
     *
     * @param aspects the aspects whose pairs it was trained on: one, or all of them for the
     *     one-reward-model ablation
     * @param modelDir the reward model folder written
     * @param trainPairs training pairs
     * @param heldOutPairs held-out pairs
     * @param trainAccuracy pairwise accuracy on the training pairs
     * @param heldOutAccuracy pairwise accuracy on the held-out pairs (NaN without any)
     * @param heldOutDecidedAccuracy the same on the held-out pairs the annotator's score decides
     *     (not a tie broken by the CLIP score)
     * @param clipDecidedAccuracy the baseline: the world-CLIP score's accuracy on those decided held-out
     *     pairs (on ties it is right by construction); a reward model that does not beat it has learned
     *     nothing about composition that the CLIP score did not already know
     * @param validationPairs pairs of the validation split (0 without validation)
     * @param validationAccuracy the best validation accuracy (NaN without validation)
     * @param keptStep the step whose weights were saved
     * @param finalLoss Bradley-Terry loss of the last step
     * @param scoreMean the raw-score mean written into the config
     * @param scoreStd the raw-score standard deviation written into the config
     * @param seconds wall time of this call
     * @param heldOutAccuracyByAspect the held-out pairwise accuracy on each aspect's pairs (one entry
     *     for a one-aspect model)
     */
    public record Result(List<Aspect> aspects, Path modelDir, int trainPairs, int heldOutPairs, double trainAccuracy,
            double heldOutAccuracy, double heldOutDecidedAccuracy, double clipDecidedAccuracy, int validationPairs,
            double validationAccuracy, long keptStep, double finalLoss, double scoreMean, double scoreStd,
            double seconds, Map<Aspect, Double> heldOutAccuracyByAspect) {

        /** The model's name: its aspect's key, or {@link #ALL} for a model of every aspect. */
        public String name() {
            return RewardModelTraining.name(aspects);
        }

        /** The {@code metrics.json} object. */
        public JsonObject toJson() {
            JsonObject o = new JsonObject();
            o.addProperty("aspect", name());
            JsonArray keys = new JsonArray();
            aspects.forEach(a -> keys.add(a.key()));
            o.add("aspects", keys);
            o.addProperty("train_pairs", trainPairs);
            o.addProperty("held_out_pairs", heldOutPairs);
            o.addProperty("train_accuracy", trainAccuracy);
            o.addProperty("held_out_accuracy", Double.isNaN(heldOutAccuracy) ? null : heldOutAccuracy);
            o.addProperty("held_out_decided_accuracy", Double.isNaN(heldOutDecidedAccuracy) ? null : heldOutDecidedAccuracy);
            o.addProperty("clip_decided_accuracy", Double.isNaN(clipDecidedAccuracy) ? null : clipDecidedAccuracy);
            o.addProperty("validation_pairs", validationPairs);
            o.addProperty("validation_accuracy", Double.isNaN(validationAccuracy) ? null : validationAccuracy);
            o.addProperty("kept_step", keptStep);
            o.addProperty("final_loss", finalLoss);
            o.addProperty("score_mean", scoreMean);
            o.addProperty("score_std", scoreStd);
            o.addProperty("seconds", seconds);
            JsonObject by = new JsonObject();
            heldOutAccuracyByAspect.forEach((a, v) -> by.addProperty(a.key(), Double.isNaN(v) ? null : v));
            o.add("held_out_accuracy_by_aspect", by);
            return o;
        }
    }

    /**
     * Trains (resuming from {@code workDir}'s newest checkpoint when {@code resume}) and writes the
     * reward model to {@code modelDir} ({@link RewardModel#save}, fp16, with the normalisation, plus
     * {@code metrics.json}, the metrics log and the loss plot).
     *
     * @param clipDir the world CLIP folder (vision tower, tokenizer)
     */
    public static Result train(Options o, PreferenceStore store, Aspect aspect, Path clipDir, Path modelDir, Path workDir,
            boolean resume) {
        return train(o, store, List.of(aspect), clipDir, modelDir, workDir, resume);
    }

    /** The name of a model trained on {@code aspects}' pairs: the aspect's key for one, "all" for every aspect. */
    public static String name(List<Aspect> aspects) {
        if (aspects.size() == 1) {
            return aspects.get(0).key();
        }
        return aspects.containsAll(List.of(Aspect.values())) ? ALL
                : String.join("+", aspects.stream().map(Aspect::key).toList());
    }

    /**
     * Trains one reward model on the pairs of several aspects together: IterComp's ablation of a
     * single reward model for all of composition against one per aspect. Otherwise as {@link
     * #train(Options, PreferenceStore, Aspect, Path, Path, Path, boolean)}; {@code metrics.json}
     * also gives the held-out accuracy on each aspect's pairs.
     */
    public static Result train(Options o, PreferenceStore store, List<Aspect> aspects, Path clipDir, Path modelDir,
            Path workDir, boolean resume) {
        if (aspects.isEmpty() || aspects.size() != Set.copyOf(aspects).size()) {
            throw new IllegalArgumentException("need distinct aspects, got " + aspects);
        }
        long t0 = System.nanoTime();
        String name = name(aspects);
        List<PreferencePair> all = new ArrayList<>();
        List<PreferencePair> heldOut = new ArrayList<>();
        for (Aspect a : aspects) {
            all.addAll(store.pairs(a, false));
            heldOut.addAll(store.pairs(a, true));
        }
        List<PreferencePair> validation = o.validateEvery() > 0
                ? all.stream().filter(RewardModelTraining::isValidation).toList() : List.of();
        List<PreferencePair> train = validation.isEmpty() ? all
                : all.stream().filter(p -> !isValidation(p)).toList();
        if (train.isEmpty()) {
            throw new IllegalArgumentException("no training pairs for " + name + " in " + store.dir());
        }
        LOG.info("reward model {}: {} training pairs ({} decided by the annotator's score, ties drawn with weight {}), {}"
                + " held-out pairs", name, train.size(), train.stream().filter(RewardModelTraining::decided).count(),
                o.tieWeight(), heldOut.size());
        try (NDManager manager = NDManager.newBaseManager(); CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(clipDir)) {
            Files.createDirectories(modelDir);
            Files.createDirectories(workDir);
            CLIPConfig clip = CLIPConfig.fromJson(ModelFolder.configFile(clipDir, "CLIP model"));
            RewardModelConfig config = RewardModelConfig.of(clip.visionConfig(), clip.textConfig().vocabSize(),
                            tokenizer.modelMaxLength(), o.textLayers())
                    .withClipScore(o.clipScorePrior() ? clip.textConfig() : null)
                    .withFrozenFraction(o.frozenFraction());
            Engine.getInstance().setRandomSeed((int) o.loop().seed());
            RewardModel model = RewardModel.fromClip(config, clipDir, manager);
            PairSampler sampler = new PairSampler(train, o.tieWeight());
            Trainer.LossFunction loss = batch -> {
                SplittableRandom rng = batch.random();
                int n = o.loop().batchSize();
                List<PreferencePair> pairs = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    pairs.add(sampler.draw(rng));
                }
                NDArray[] in = inputs(pairs, store, tokenizer, manager);
                NDList scores = model.forward(in[0], in[1], in[2]).split(2);
                return BradleyTerryLoss.loss(scores.get(0), scores.get(1));
            };
            BestWeights best = new BestWeights(model, workDir, resume);
            Consumer<StepMetrics> validate = m -> {
                if (!validation.isEmpty() && (m.step() % o.validateEvery() == 0 || m.step() == o.loop().steps())) {
                    double acc = accuracy(model, validation, store, tokenizer, manager);
                    LOG.debug("reward model {}: step {} validation accuracy {}", name, m.step(), acc);
                    best.offer(m.step(), acc);
                }
            };
            JsonObject cfg = o.toJson();
            cfg.addProperty("aspect", name);
            cfg.addProperty("preferences", store.dir().toAbsolutePath().toString());
            Trainer.Result run = Trainer.builder(model, loss)
                    .optimizer(AdamW.builder().weightDecay(o.loop().weightDecay()).noDecay(AdamW.biasesAndNorms())
                            .build(model.namedParameters()))
                    .loop(o.loop(), modelDir, workDir, resume)
                    .clipGradNorm(1.0)
                    .config(cfg)
                    .listener(validate)
                    .build()
                    .run();
            long kept = best.restore();
            if (kept < 0) {
                kept = run.endStep();
            } else {
                LOG.info("reward model {}: keeping the step-{} weights (validation accuracy {} on {} pairs)", name,
                        kept, best.accuracy(), validation.size());
            }
            // ImageReward's normalisation: mean and std of the raw scores of the training images
            Map<String, String> trainImages = new LinkedHashMap<>();
            for (PreferencePair p : train) {
                trainImages.put(p.better().file(), p.caption());
                trainImages.put(p.worse().file(), p.caption());
            }
            double[] raw = rawScores(model, new ArrayList<>(trainImages.entrySet()), store, tokenizer, manager);
            double mean = java.util.Arrays.stream(raw).average().orElse(0);
            double std = Math.sqrt(java.util.Arrays.stream(raw).map(r -> (r - mean) * (r - mean)).average().orElse(1));
            if (!(std > 0)) {
                LOG.warn("reward model {}: every training image scores the same ({}); no scaling", name, mean);
            }
            save(model, config.withNormalization(mean, std > 0 ? std : 1), modelDir);
            // the accuracies are those of the saved (fp16) weights
            RewardModel saved = RewardModel.fromPretrained(modelDir, manager);
            double trainAcc = accuracy(saved, train, store, tokenizer, manager);
            double heldAcc = heldOut.isEmpty() ? Double.NaN : accuracy(saved, heldOut, store, tokenizer, manager);
            List<PreferencePair> decided = heldOut.stream().filter(RewardModelTraining::decided).toList();
            double decidedAcc = decided.isEmpty() ? Double.NaN : accuracy(saved, decided, store, tokenizer, manager);
            double clipAcc = decided.isEmpty() ? Double.NaN
                    : decided.stream().filter(p -> p.better().clipScore() > p.worse().clipScore()).count()
                            / (double) decided.size();
            double finalLoss = run.metrics().isEmpty() ? Double.NaN : run.metrics().get(run.metrics().size() - 1).loss();
            Map<Aspect, Double> byAspect = new LinkedHashMap<>();
            for (Aspect a : aspects) {
                List<PreferencePair> pairs = store.pairs(a, true);
                byAspect.put(a, aspects.size() == 1 ? heldAcc
                        : pairs.isEmpty() ? Double.NaN : accuracy(saved, pairs, store, tokenizer, manager));
            }
            Result result = new Result(List.copyOf(aspects), modelDir, train.size(), heldOut.size(), trainAcc, heldAcc,
                    decidedAcc, clipAcc, validation.size(), validation.isEmpty() ? Double.NaN : best.accuracy(), kept,
                    finalLoss, mean, std, (System.nanoTime() - t0) / 1e9, byAspect);
            Files.writeString(modelDir.resolve("metrics.json"),
                    new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(result.toJson()) + "\n");
            LOG.info(String.format(Locale.ROOT, "reward model %s: pairwise accuracy %.3f held out (%.3f where the annotator's"
                    + " score decides; the CLIP score: %.3f), %.3f on training pairs", name, heldAcc, decidedAcc,
                    clipAcc, trainAcc));
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the reward model to " + modelDir, e);
        }
    }

    /** Whether the pair's ranking belongs to the validation split: the one just before each held-out ranking. */
    static boolean isValidation(PreferencePair p) {
        return p.index() % PreferenceStore.HOLD_OUT_EVERY == PreferenceStore.HOLD_OUT_EVERY - 2;
    }

    /**
     * The weights of the best validation accuracy so far, kept in the work folder (written atomically)
     * so that a resumed run ends with the same choice as an uninterrupted one.
     */
    static final class BestWeights {
        private final Module model;
        private final Path file;
        private final Path json;
        private double accuracy = -1;
        private long step = -1;

        BestWeights(Module model, Path workDir, boolean resume) throws IOException {
            this.model = model;
            this.file = workDir.resolve("best-validation.safetensors");
            this.json = workDir.resolve("best-validation.json");
            if (!resume) {
                Files.deleteIfExists(file);
                Files.deleteIfExists(json);
            } else if (Files.isRegularFile(json) && Files.isRegularFile(file)) {
                JsonObject o = JsonFiles.readObject(json, "best validation");
                accuracy = o.get("accuracy").getAsDouble();
                step = o.get("step").getAsLong();
            }
        }

        /** Keeps the model's current weights if {@code acc} beats the best so far. */
        void offer(long atStep, double acc) {
            if (acc <= accuracy) {
                return;
            }
            StateDict.save(model, file); // atomic, as every safetensors write
            JsonObject o = new JsonObject();
            o.addProperty("step", atStep);
            o.addProperty("accuracy", acc);
            AtomicFiles.writeString(json, o.toString());
            accuracy = acc;
            step = atStep;
        }

        /** Loads the best weights into the model; returns their step, or -1 when none was kept. */
        long restore() {
            if (step < 0) {
                return -1;
            }
            try (TensorSource st = Checkpoints.open(file)) {
                StateDict.load(model, st);
            }
            return step;
        }

        double accuracy() {
            return accuracy;
        }
    }

    /** Whether the annotator's score orders the pair (not a tie that the CLIP score broke). */
    static boolean decided(PreferencePair p) {
        return p.better().score() != p.worse().score();
    }

    /** Draws training pairs, a tie with {@code tieWeight} times the chance of a decided pair. */
    static final class PairSampler {
        private final List<PreferencePair> pairs;
        private final double[] cumulative;

        PairSampler(List<PreferencePair> all, double tieWeight) {
            pairs = tieWeight > 0 ? all : all.stream().filter(RewardModelTraining::decided).toList();
            if (pairs.isEmpty()) {
                throw new IllegalArgumentException("no pair is decided by the annotator's score; a tie weight of 0 leaves"
                        + " nothing to train on");
            }
            cumulative = new double[pairs.size()];
            double sum = 0;
            for (int i = 0; i < pairs.size(); i++) {
                sum += decided(pairs.get(i)) ? 1 : tieWeight;
                cumulative[i] = sum;
            }
        }

        PreferencePair draw(SplittableRandom rng) {
            if (cumulative[cumulative.length - 1] == pairs.size()) {
                return pairs.get(rng.nextInt(pairs.size())); // all alike: uniform, as before tie weights existed
            }
            double u = rng.nextDouble() * cumulative[cumulative.length - 1];
            int i = Arrays.binarySearch(cumulative, u);
            i = i >= 0 ? i + 1 : -i - 1;
            return pairs.get(Math.min(i, pairs.size() - 1));
        }

        int size() {
            return pairs.size();
        }
    }

    /** Writes the model in fp16 with {@code normalized}'s score constants, atomically (a temporary folder, then a rename). */
    private static void save(RewardModel model, RewardModelConfig normalized, Path modelDir) throws IOException {
        Path tmp = Files.createTempDirectory(modelDir, ".save-");
        model.save(tmp, Dtype.F16);
        normalized.save(tmp.resolve(ModelFolder.CONFIG));
        AtomicFiles.moveInto(tmp, modelDir);
    }

    /** {images [2B, 3, H, W] in [-1, 1] (the better ones, then the worse ones), ids [2B, L], mask [2B, L]}. */
    private static NDArray[] inputs(List<PreferencePair> pairs, PreferenceStore store, CLIPTokenizer tokenizer,
            NDManager manager) {
        List<RankedImage> images = new ArrayList<>();
        List<String> captions = new ArrayList<>();
        pairs.forEach(p -> {
            images.add(p.better());
            captions.add(p.caption());
        });
        pairs.forEach(p -> {
            images.add(p.worse());
            captions.add(p.caption());
        });
        BatchEncoding enc = tokenizer.encode(captions);
        return new NDArray[] {RewardModelScorer.pixels(images.stream().map(store::readImage).toList(), manager), enc.inputIds(manager),
            enc.attentionMask(manager)};
    }

    private static double[] rawScores(RewardModel model, List<Map.Entry<String, String>> images, PreferenceStore store,
            CLIPTokenizer tokenizer, NDManager manager) {
        double[] out = new double[images.size()];
        for (int s = 0; s < images.size(); s += EVAL_CHUNK) {
            List<Map.Entry<String, String>> part = images.subList(s, Math.min(images.size(), s + EVAL_CHUNK));
            try (NDManager m = manager.newSubManager()) {
                List<BufferedImage> pics = part.stream().map(e -> Images.read(store.dir().resolve(e.getKey()))).toList();
                BatchEncoding enc = tokenizer.encode(part.stream().map(Map.Entry::getValue).toList());
                float[] r = model.rawScore(RewardModelScorer.pixels(pics, m).stopGradient(), enc.inputIds(m), enc.attentionMask(m))
                        .toFloatArray();
                for (int i = 0; i < r.length; i++) {
                    out[s + i] = r[i];
                }
            }
        }
        return out;
    }

    /** Pairwise accuracy: the fraction of pairs whose better image scores higher. */
    public static double accuracy(RewardModel model, List<PreferencePair> pairs, PreferenceStore store,
            CLIPTokenizer tokenizer, NDManager manager) {
        int right = 0;
        for (int s = 0; s < pairs.size(); s += EVAL_CHUNK) {
            List<PreferencePair> part = pairs.subList(s, Math.min(pairs.size(), s + EVAL_CHUNK));
            try (NDManager m = manager.newSubManager()) {
                NDArray[] in = inputs(part, store, tokenizer, m);
                float[] scores = model.score(in[0], in[1], in[2]);
                for (int i = 0; i < part.size(); i++) {
                    right += scores[i] > scores[part.size() + i] ? 1 : 0;
                }
            }
        }
        return (double) right / pairs.size();
    }
}
