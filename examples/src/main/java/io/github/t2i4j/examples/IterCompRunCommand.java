package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.evaluation.CompositionBenchmark;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.itercomp.IterCompLoop;
import io.github.t2i4j.itercomp.gallery.ModelGallery;
import io.github.t2i4j.itercomp.preference.Aspect;
import io.github.t2i4j.itercomp.preference.PreferenceCollection;
import io.github.t2i4j.itercomp.refl.FeedbackTraining;
import io.github.t2i4j.itercomp.reward.RewardModelTraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs IterComp's whole iterative loop ({@link IterCompLoop}) on the world, with progress, resuming where it stopped. */
@Command(
        name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Run IterComp end to end: preference data from the gallery (ranked by the simulated annotator), then per"
                    + " round three reward models and feedback learning of the base, each round's model judged on the"
                    + " held-out prompts and added to the gallery for the next round.",
            "Everything goes under OUT (preferences/, round-R/{reward,model,eval}/, work/, report.md,"
                    + " comparison.png). Run the same command again to continue after an interruption."
        })
final class IterCompRunCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(IterCompRunCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", paramLabel = "DIR",
            description = "The StableDiffusionPipeline folder IterComp optimises (default: the embedded world-ldm).")
    String base;

    @Option(names = "--member", paramLabel = "SPEC",
            description = {"A gallery member besides the base (repeat): NAME=DIR, NAME=planned:DIR or"
                    + " NAME=layout:PIPELINE_DIR,GLIGEN_DIR, as in 'itercomp gallery'.",
                    "Default: planned=planned (regional prompting on the base) and star=star."})
    List<String> members;

    @Option(names = "--rounds", defaultValue = "3", paramLabel = "N", description = "Feedback rounds (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--prompts-per-aspect", defaultValue = "1000", paramLabel = "N",
            description = "Training prompts ranked per aspect; every tenth is held out for the reward models (default: ${DEFAULT-VALUE}).")
    int promptsPerAspect;

    @Option(names = "--reward-steps", paramLabel = "N", description = "Steps of each reward model's training (default: 1000).")
    Long rewardSteps;

    @Option(names = "--reward-tie-weight", paramLabel = "W",
            description = "How often a pair the annotator scored equal (ordered by the CLIP score alone) is drawn in"
                    + " reward training, relative to a decided pair: 1 as the paper, 0 decided pairs only (default: 1).")
    Double rewardTieWeight;

    @Option(names = "--reward-validate-every", paramLabel = "N",
            description = "Steps between reward-model accuracy checks on a validation split (a ranking before each"
                    + " held-out one); the best weights are kept; 0: no validation, the last weights (default: 50).")
    Integer rewardValidateEvery;

    @Option(names = "--reward-clip-prior", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = {"Reward models add the world CLIP's image-text similarity to their head's score and start as"
                    + " that score, then learn what it misses (default: ${DEFAULT-VALUE}).",
                    "--no-reward-clip-prior: ImageReward's head alone (held-out pairwise accuracy 0.65 / 0.71 / 0.58"
                            + " against 0.83 / 0.81 / 0.79 with the prior, on 2,880 pairs per aspect)."})
    boolean rewardClipPrior;

    @Option(names = "--feedback-steps", paramLabel = "N", description = "Feedback-learning steps per round (default: 200).")
    Long feedbackSteps;

    @Option(names = "--feedback-batch", paramLabel = "N", description = "Prompts per feedback step (default: 8).")
    Integer feedbackBatch;

    @Option(names = "--feedback-lr", paramLabel = "LR", description = "AdamW rate of feedback learning (default: 1e-5, the paper's).")
    Double feedbackLearningRate;

    @Option(names = "--feedback-sampling-steps", paramLabel = "N",
            description = "DDPM steps of feedback learning's sampling; the gradient step is drawn from their last quarter (default: 40, the paper's).")
    Integer feedbackSamplingSteps;

    @Option(names = "--feedback-guidance", paramLabel = "SCALE",
            description = "Classifier-free guidance during feedback learning's sampling (default: 1, none, as the paper).")
    Float feedbackGuidance;

    @Option(names = "--regularizer", paramLabel = "W",
            description = "Weight of the denoising loss on world renders during feedback learning, 0 for none (default: 1).")
    Double regularizer;

    @Option(names = "--feedback-anchor", paramLabel = "W",
            description = "Weight of DPOK's KL regulariser in feedback learning: the squared distance between the UNet's"
                    + " output and the round's starting UNet's at the gradient step; 0 for none, as the paper (default: 0).")
    Double feedbackAnchor;

    @Option(names = "--evaluate-gallery", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Judge every gallery member on the held-out prompts too, so that the report says whether the"
                    + " last round beats each of them (default: ${DEFAULT-VALUE}).")
    boolean evaluateGallery;

    @Option(names = "--one-reward-ablation", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Repeat round 1 with one reward model trained on every aspect's pairs: the paper's ablation of"
                    + " one reward model against three (default: ${DEFAULT-VALUE}).")
    boolean oneRewardAblation;

    @Option(names = "--per-category", defaultValue = "200", paramLabel = "N",
            description = "Held-out prompts per category for each evaluation, at most 200 (default: ${DEFAULT-VALUE}).")
    int perCategory;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N",
            description = "Sampling steps of the base and the optimised models (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"-g", "--guidance"}, defaultValue = "7.5", paramLabel = "SCALE",
            description = "Guidance of the base and the optimised models (default: ${DEFAULT-VALUE}).")
    float guidance;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", paramLabel = "SEED",
            description = "Seed of the prompts, the images and the training runs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clip", defaultValue = "models/world-clip", paramLabel = "DIR",
            description = "World CLIP: reward models' vision tower, tie-breaks, CLIP score and FID (default: ${DEFAULT-VALUE}).")
    Path clip;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT", description = "The run's folder.")
    Path out;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (rounds < 1 || promptsPerAspect < 1 || perCategory < 1 || steps < 1) {
            throw new CommandLine.ParameterException(cl, "--rounds, --prompts-per-aspect, --per-category and --steps must be positive");
        }
        Path basePipeline = DefaultModel.resolve(base, cl);
        List<String> specs = new ArrayList<>();
        specs.add("base=" + basePipeline);
        specs.addAll(members != null ? members : List.of("planned=planned:" + basePipeline, "star=star"));
        List<GalleryMembers.Spec> parsed = GalleryMembers.parse(specs, cl);
        IterCompLoop.Options o = new IterCompLoop.Options(rounds,
                new PreferenceCollection.Options(promptsPerAspect, List.of(Aspect.values()), seed, 8),
                rewardOptions(), feedbackOptions(),
                new CompositionBenchmark.Options(Math.min(perCategory, HeldOutSet.SIZE), 0, 16, 24), steps, guidance,
                evaluateGallery, oneRewardAblation);
        try (ModelGallery gallery = GalleryMembers.open(parsed, device, steps, guidance, cl);
                Bars bars = new Bars()) {
            new IterCompLoop(o, out, clip, Device.fromName(device), bars).run(gallery.members(), basePipeline);
        }
        LOG.info("IterComp report: {}", out.resolve("report.md"));
        return 0;
    }

    private RewardModelTraining.Options rewardOptions() {
        RewardModelTraining.Options r = RewardModelTraining.Options.defaults().withSeed(seed).withClipScorePrior(rewardClipPrior);
        if (rewardTieWeight != null) {
            r = r.withTieWeight(rewardTieWeight);
        }
        if (rewardValidateEvery != null) {
            r = r.withValidateEvery(rewardValidateEvery);
        }
        return rewardSteps != null ? r.withSteps(rewardSteps) : r;
    }

    private FeedbackTraining.Options feedbackOptions() {
        FeedbackTraining.Options f = FeedbackTraining.Options.defaults().withSeed(seed);
        if (feedbackSteps != null) {
            f = f.withSteps(feedbackSteps);
        }
        if (feedbackBatch != null) {
            f = f.withBatchSize(feedbackBatch);
        }
        if (feedbackLearningRate != null) {
            f = f.withLearningRate(feedbackLearningRate);
        }
        if (feedbackSamplingSteps != null) {
            if (feedbackSamplingSteps < 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--feedback-sampling-steps must be at least 2, got "
                        + feedbackSamplingSteps);
            }
            f = f.withInferenceSteps(feedbackSamplingSteps);
        }
        if (feedbackGuidance != null) {
            if (!(feedbackGuidance >= 1)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--feedback-guidance must be at least 1, got "
                        + feedbackGuidance);
            }
            f = f.withGuidance(feedbackGuidance);
        }
        if (feedbackAnchor != null) {
            if (!(feedbackAnchor >= 0) || feedbackAnchor.isInfinite()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--feedback-anchor must be finite and >= 0, got "
                        + feedbackAnchor);
            }
            f = f.withAnchor(feedbackAnchor);
        }
        return regularizer != null ? f.withRegularizer(regularizer) : f;
    }

    /** One progress bar per stage of the loop (the training stages draw their own). */
    private static final class Bars implements IterCompLoop.Progress, AutoCloseable {
        private ProgressBar bar;

        @Override
        public void stage(String name, long total) {
            close();
            LOG.info("IterComp: {}", name);
            if (!name.startsWith("reward") && !name.startsWith("feedback")) {
                bar = EvaluationRuns.progressBar(name, (int) total);
            }
        }

        @Override
        public void step(long done) {
            if (bar != null) {
                bar.stepTo(done);
            }
        }

        @Override
        public void close() {
            if (bar != null) {
                bar.close();
                bar = null;
            }
        }
    }
}
