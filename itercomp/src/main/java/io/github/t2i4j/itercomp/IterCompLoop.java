package io.github.t2i4j.itercomp;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.evaluation.CompositionBenchmark;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.pipelines.DiffusionGenerator;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.preference.PreferenceCollection;
import io.github.t2i4j.itercomp.preference.PreferenceStore;
import io.github.t2i4j.itercomp.preference.Ranking;
import io.github.t2i4j.itercomp.preference.RewardScorer;
import io.github.t2i4j.itercomp.refl.FeedbackTraining;
import io.github.t2i4j.itercomp.reward.RewardModel;
import io.github.t2i4j.itercomp.reward.RewardModelScorer;
import io.github.t2i4j.itercomp.reward.RewardModelTraining;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * IterComp's iterative loop, end to end and resumable. Round 0: every gallery member draws every
 * preference prompt and the simulated annotator ranks them. Round {@code r >= 1}: the previous
 * round's optimised model joins the gallery (its images placed into the rankings by round
 * {@code r-1}'s reward models; from round 2 on), one reward model per aspect is trained on all the
 * pairs, and the diffusion model is optimised against them by feedback learning: round 1 starts
 * from the base, every later round from the previous round's model. Each round's model is judged
 * on the held-out benchmark, and {@code report.md} compares the base with every round.
 *
 * <p>Everything lives under one folder: {@code preferences/}, {@code round-R/reward/<aspect>/},
 * {@code round-R/model/} (a diffusers pipeline folder), {@code round-R/eval/} (and
 * {@code round-0/eval/} for the base), {@code work/} (checkpoints), {@code report.md} and
 * {@code comparison.png}. A stage whose output exists is skipped, and the training stages resume
 * from their checkpoints, so an interrupted run continues where it stopped.
 */
public final class IterCompLoop {
    private static final Logger LOG = LoggerFactory.getLogger(IterCompLoop.class);
    /** Held-out prompts per category in the comparison grid. */
    private static final int GRID_PER_CATEGORY = 1;

    /**
     * Settings of the whole loop.
     *
     * @param rounds feedback rounds (the issue asks for at least 3)
     * @param preferences prompts per aspect, their seed and the generation batch
     * @param reward reward-model training
     * @param feedback feedback learning of each round
     * @param evaluation the held-out benchmark of the base and of each round's model
     * @param steps sampling steps of the optimised models when they generate (the base's default)
     * @param guidance classifier-free guidance of the optimised models when they generate
     * @param evaluateGallery whether every round-0 gallery member is judged on the held-out benchmark
     *     too, so that the report can say whether the last round beats each of them
     * @param oneRewardAblation whether round 1 is repeated with a single reward model trained on
     *     every aspect's pairs (the paper's ablation of one reward model against three)
     */
    public record Options(int rounds, PreferenceCollection.Options preferences, RewardModelTraining.Options reward,
            FeedbackTraining.Options feedback, CompositionBenchmark.Options evaluation, int steps, float guidance,
            boolean evaluateGallery, boolean oneRewardAblation) {
        public Options {
            if (rounds < 1) {
                throw new IllegalArgumentException("rounds must be positive: " + rounds);
            }
            Objects.requireNonNull(preferences);
            Objects.requireNonNull(reward);
            Objects.requireNonNull(feedback);
            Objects.requireNonNull(evaluation);
        }
    }

    /** Tells what the loop is doing: a stage name, then the count of items done in it. */
    public interface Progress {
        void stage(String name, long total);

        void step(long done);

        static Progress silent() {
            return new Progress() {
                @Override
                public void stage(String name, long total) {}

                @Override
                public void step(long done) {}
            };
        }
    }

    private final Options options;
    private final Path dir;
    private final Path clipDir;
    private final Device device;
    private final Progress progress;

    public IterCompLoop(Options options, Path dir, Path clipDir, Device device, Progress progress) {
        this.options = options;
        this.dir = dir;
        this.clipDir = clipDir;
        this.device = device;
        this.progress = progress;
    }

    public Path roundDir(int round) {
        return dir.resolve("round-" + round);
    }

    public Path rewardDir(int round, Aspect aspect) {
        return roundDir(round).resolve("reward").resolve(aspect.key());
    }

    public Path modelDir(int round) {
        return roundDir(round).resolve("model");
    }

    /** Where a round-0 gallery member's held-out evaluation goes. */
    public Path galleryEvalDir(String member) {
        return roundDir(0).resolve("gallery").resolve(member);
    }

    /** The one-reward-model ablation of round 1: {@code reward/all}, {@code model}, {@code eval}. */
    public Path oneRewardDir() {
        return roundDir(1).resolve("one-reward");
    }

    /**
     * Runs (or continues) the loop from {@code basePipeline} with the round-0 {@code gallery}
     * (which should include the base itself), and writes the report.
     */
    public void run(List<? extends TextToImageGenerator> gallery, Path basePipeline) {
        try (WorldClip clip = WorldClip.load(clipDir, device)) {
            Files.createDirectories(dir);
            PreferenceStore store = PreferenceStore.open(dir.resolve("preferences"));
            PreferenceCollection collection = new PreferenceCollection(store, clip, options.preferences());
            long remaining = collection.remainingImages(gallery.stream().map(TextToImageGenerator::name).toList());
            if (remaining > 0) {
                progress.stage("preferences", remaining);
                collection.collect(gallery, progress::step);
            }
            evaluate(basePipeline, "base", roundDir(0).resolve("eval"), clip);
            if (options.evaluateGallery()) {
                for (TextToImageGenerator member : gallery) {
                    if (!member.name().equals("base")) {
                        evaluate(member, galleryEvalDir(member.name()), clip);
                    }
                }
            }
            Path start = basePipeline;
            for (int r = 1; r <= options.rounds(); r++) {
                if (r >= 2) {
                    insertPreviousRound(collection, r, store);
                }
                for (Aspect a : options.preferences().aspects()) {
                    if (!Files.isRegularFile(rewardDir(r, a).resolve("metrics.json"))) {
                        progress.stage("reward " + a.key() + " (round " + r + ")", options.reward().loop().steps());
                        RewardModelTraining.train(options.reward(), store, a, clipDir, rewardDir(r, a),
                                dir.resolve("work/round-" + r + "/reward-" + a.key()), true);
                    }
                }
                if (!Files.isRegularFile(modelDir(r).resolve("model_index.json"))) {
                    progress.stage("feedback (round " + r + ")", options.feedback().loop().steps());
                    Map<Aspect, Path> rewards = new EnumMap<>(Aspect.class);
                    for (Aspect a : options.preferences().aspects()) {
                        rewards.put(a, rewardDir(r, a));
                    }
                    FeedbackTraining.train(options.feedback(), start, rewards, trainingPrompts(store), modelDir(r),
                            dir.resolve("work/round-" + r + "/feedback"), true, device);
                }
                evaluate(modelDir(r), "round-" + r, roundDir(r).resolve("eval"), clip);
                if (r == 1 && options.oneRewardAblation()) {
                    oneRewardAblation(basePipeline, store, clip);
                }
                start = modelDir(r);
            }
            IterCompReport.write(dir, options.rounds(), options.preferences().aspects(), store);
            writeComparison(basePipeline);
        } catch (IOException e) {
            throw new UncheckedIOException("IterComp loop in " + dir + " failed", e);
        }
    }

    /**
     * Round 1 again with one reward model trained on the pairs of every aspect together, from the
     * same base, prompts and settings: the paper's "one reward model vs three" ablation. It runs
     * right after round 1, so it sees round 1's preference data.
     */
    private void oneRewardAblation(Path basePipeline, PreferenceStore store, WorldClip clip) {
        List<Aspect> aspects = options.preferences().aspects();
        String name = RewardModelTraining.name(aspects);
        Path reward = oneRewardDir().resolve("reward").resolve(name);
        Path model = oneRewardDir().resolve("model");
        if (!Files.isRegularFile(reward.resolve("metrics.json"))) {
            progress.stage("reward " + name + " (one-reward ablation)", options.reward().loop().steps());
            RewardModelTraining.train(options.reward(), store, aspects, clipDir, reward,
                    dir.resolve("work/one-reward/reward"), true);
        }
        if (!Files.isRegularFile(model.resolve("model_index.json"))) {
            progress.stage("feedback (one-reward ablation)", options.feedback().loop().steps());
            FeedbackTraining.trainNamed(options.feedback(), basePipeline, Map.of(name, reward), trainingPrompts(store),
                    model, dir.resolve("work/one-reward/feedback"), true, device);
        }
        evaluate(model, "one-reward", oneRewardDir().resolve("eval"), clip);
    }

    /** The optimised model of round {@code r-1} joins the gallery, placed by round {@code r-1}'s reward models. */
    private void insertPreviousRound(PreferenceCollection collection, int r, PreferenceStore store) {
        String member = "round-" + (r - 1);
        long missing = store.rankings().stream().filter(k -> !k.contains(member)).count();
        if (missing == 0) {
            return;
        }
        progress.stage("insert " + member, missing);
        try (NDManager m = NDManager.newBaseManager(device);
                CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(clipDir);
                TextToImageGenerator model = open(modelDir(r - 1), member)) {
            Map<Aspect, RewardScorer> scorers = new EnumMap<>(Aspect.class);
            for (Aspect a : options.preferences().aspects()) {
                scorers.put(a, new RewardModelScorer(RewardModel.fromPretrained(rewardDir(r - 1, a), m), tokenizer, m));
            }
            PreferenceCollection.Result res = collection.insert(model, scorers, progress::step);
            JsonObject o = new JsonObject();
            o.addProperty("member", member);
            o.addProperty("rankings", res.rankings());
            o.addProperty("agreement_with_annotator", res.insertionAgreement());
            JsonFiles.writeObject(roundDir(r).resolve("insertion.json"), o);
        }
    }

    private TextToImageGenerator open(Path pipeline, String name) {
        return new DiffusionGenerator(name, DiffusionPipelines.load(pipeline, device), options.steps(), options.guidance(), null);
    }

    private void evaluate(Path pipeline, String name, Path out, WorldClip clip) {
        if (Files.isRegularFile(out.resolve("metrics.json"))) {
            return;
        }
        try (TextToImageGenerator g = open(pipeline, name)) {
            evaluate(g, out, clip);
        }
    }

    private void evaluate(TextToImageGenerator g, Path out, WorldClip clip) {
        if (Files.isRegularFile(out.resolve("metrics.json"))) {
            return;
        }
        List<Category> categories = List.of(Category.values());
        progress.stage("evaluate " + g.name(), (long) categories.size() * options.evaluation().perCategory());
        CompositionBenchmark.run(g, categories, options.evaluation(), clip, out, n -> progress.step(n));
    }

    /** The captions of the training rankings, every aspect: the prompts feedback learning samples from. */
    static List<String> trainingPrompts(PreferenceStore store) {
        LinkedHashSet<String> out = new LinkedHashSet<>();
        for (Ranking r : store.rankings()) {
            if (!PreferenceStore.isHeldOut(r)) {
                out.add(r.caption());
            }
        }
        return new ArrayList<>(out);
    }

    /** One held-out prompt per category, drawn by the base and by every round with the same seeds. */
    private void writeComparison(Path basePipeline) {
        List<String> prompts = new ArrayList<>();
        for (Category c : Category.values()) {
            HeldOutSet.load(c).subList(0, GRID_PER_CATEGORY).stream().map(WorldExample::caption).forEach(prompts::add);
        }
        List<Path> models = new ArrayList<>();
        models.add(basePipeline);
        for (int r = 1; r <= options.rounds(); r++) {
            models.add(modelDir(r));
        }
        List<BufferedImage> cells = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        List<List<BufferedImage>> columns = new ArrayList<>();
        for (int k = 0; k < models.size(); k++) {
            try (TextToImageGenerator g = open(models.get(k), k == 0 ? "base" : "round-" + k)) {
                columns.add(g.generate(prompts, options.evaluation().seed()));
            }
        }
        for (int i = 0; i < prompts.size(); i++) {
            for (int k = 0; k < models.size(); k++) {
                cells.add(Images.resize(columns.get(k).get(i), 128, 128));
                labels.add((k == 0 ? "base" : "round " + k) + ": " + prompts.get(i));
            }
        }
        Images.writePng(Images.grid(cells, labels, models.size()), dir.resolve("comparison.png"));
        LOG.info(String.format(Locale.ROOT, "comparison grid of %d prompts x %d models in %s", prompts.size(), models.size(),
                dir.resolve("comparison.png")));
    }
}
