package io.github.t2i4j.examples;

import ai.djl.engine.Engine;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.suti.model.InterleavedGuidance;
import io.github.t2i4j.suti.model.SuTIConfig;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.training.ApprenticeshipSource;
import io.github.t2i4j.suti.training.ApprenticeshipStore;
import io.github.t2i4j.suti.training.SuTITraining;
import io.github.t2i4j.suti.training.WorldSubjectPairs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains SuTI ({@link SuTITraining}) on apprenticeship data made by {@code suti apprentice}, or on real
 * pairs of the world's subjects ({@link WorldSubjectPairs}, the paper's real-to-real ablation), with
 * held-out real pairs as the validation set; writes the SuTI UNet folder.
 */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train SuTI's neighbour layers on a base pipeline: on the apprenticeship data of 'suti apprentice' (--data)"
                    + " or on real demonstration -> real target pairs of the training subjects (--real-pairs, the"
                    + " paper's ablation that collapses into copying a demonstration).",
            "Writes the SuTI UNet folder OUT (EMA weights, metrics.jsonl, loss.png, samples.png: held-out"
                    + " demonstrations, the real target and SuTI's image per row); checkpoints go to --work for"
                    + " --resume."
        })
final class SuTITrainCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SuTITrainCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", defaultValue = "world-ldm", paramLabel = "DIR",
            description = "The base StableDiffusionPipeline folder, or a shipped model's name (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--data", paramLabel = "DIR", description = "An apprenticeship folder made by 'suti apprentice'.")
    Path data;

    @Option(names = "--subject-loss-weight", defaultValue = "0", paramLabel = "W",
            description = "Extra weight of the target's subject in the denoising loss: a latent position weighs 1 + W"
                    + " x the subject's coverage there (normalised per example); 0 is the paper's plain MSE"
                    + " (default: ${DEFAULT-VALUE}).")
    double subjectLossWeight;

    @Option(names = "--real-pairs", description = "Train on real pairs of the training subjects instead of --data.")
    boolean realPairs;

    @Option(names = "--real-targets", defaultValue = "NEW_CONTEXT", paramLabel = "WHERE",
            description = "With --real-pairs: the context of the real targets, NEW_CONTEXT (one no demonstration shows)"
                    + " or DEMONSTRATED_CONTEXT (one demonstration's, with its caption, like web clusters of"
                    + " near-duplicates) (default: ${DEFAULT-VALUE}).")
    WorldSubjectPairs.Targets realTargets;

    @Option(names = "--pairs-per-subject", defaultValue = "100", paramLabel = "N",
            description = "With --real-pairs: examples per training subject (default: ${DEFAULT-VALUE}).")
    long pairsPerSubject;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT", description = "The SuTI model folder to write: OUT/unet (the SuTI UNet, its samples and"
                    + " metrics) and OUT/model_index.json (the base folder and sampling defaults), what 'generate"
                    + " --model OUT' and 'suti evaluate --suti OUT' load.")
    Path out;

    @Option(names = "--batch-size", paramLabel = "N", description = "Examples per step (default: the job's, 16).")
    Integer batchSize;

    @Option(names = "--base-learning-rate", defaultValue = "0", paramLabel = "LR",
            description = "Peak rate of the base UNet's weights; 0 keeps them frozen (default: ${DEFAULT-VALUE}).")
    double baseLearningRate;

    @Option(names = "--placement", defaultValue = "mid", paramLabel = "WHERE",
            description = "Where the neighbour layers go: mid (the bottleneck), mid_and_up (also the decoder, reading"
                    + " the bottleneck) or mid_and_up_per_level (each decoder block reading the demonstrations at its"
                    + " own resolution) (default: ${DEFAULT-VALUE}).")
    String placement;

    @Option(names = "--validation", defaultValue = "64", paramLabel = "N",
            description = "Held-out real pairs the final validation loss is measured on; 0 for none (default:"
                    + " ${DEFAULT-VALUE}).")
    int validation;

    @Option(names = "--samples", defaultValue = "8", paramLabel = "N",
            description = "Held-out rows drawn into samples.png at the end; 0 for none (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--sample-steps", defaultValue = "20", paramLabel = "N",
            description = "Sampling steps of samples.png (default: ${DEFAULT-VALUE}).")
    int sampleSteps;

    @Mixin TrainingRunOptions run;

    @Override
    public Integer call() throws Exception {
        CommandLine cl = spec.commandLine();
        if ((data == null) == !realPairs) {
            throw new CommandLine.ParameterException(cl, data == null
                    ? "name the training data: --data DIR (from 'suti apprentice') or --real-pairs"
                    : "--data " + data + " and --real-pairs exclude each other");
        }
        if (!(subjectLossWeight >= 0)) {
            throw new CommandLine.ParameterException(cl, "--subject-loss-weight must be >= 0, got " + subjectLossWeight);
        }
        if (!realPairs && realTargets != WorldSubjectPairs.Targets.NEW_CONTEXT) {
            throw new CommandLine.ParameterException(cl, "--real-targets is for --real-pairs");
        }
        if (data != null && !Files.isRegularFile(data.resolve(ApprenticeshipStore.SUBJECTS))) {
            throw new CommandLine.ParameterException(cl, "--data " + data + (Files.isDirectory(data)
                    ? " holds no apprenticeship data (no " + ApprenticeshipStore.SUBJECTS + "); make it with 'suti apprentice'"
                    : " is not a folder"));
        }
        SuTICommand.range(cl, "--pairs-per-subject", pairsPerSubject, 1, Long.MAX_VALUE);
        if (batchSize != null) {
            SuTICommand.range(cl, "--batch-size", batchSize, 1, Integer.MAX_VALUE);
        }
        if (run.steps != null) {
            SuTICommand.range(cl, "--steps", run.steps, 1, Long.MAX_VALUE);
        }
        if (run.learningRate != null && !(run.learningRate > 0)) {
            throw new CommandLine.ParameterException(cl, "--learning-rate must be positive, got " + run.learningRate);
        }
        if (!(baseLearningRate >= 0)) {
            throw new CommandLine.ParameterException(cl, "--base-learning-rate must be 0 or more, got " + baseLearningRate);
        }
        SuTIConfig.Placement where;
        try {
            where = SuTIConfig.Placement.of(placement);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "--placement " + placement + " is not mid, mid_and_up or mid_and_up_per_level");
        }
        SuTICommand.range(cl, "--validation", validation, 0, Integer.MAX_VALUE);
        SuTICommand.range(cl, "--samples", samples, 0, Integer.MAX_VALUE);
        SuTICommand.range(cl, "--sample-steps", sampleSteps, 1, Integer.MAX_VALUE);
        Path baseDir = SuTICommand.base(base, cl);

        SuTITraining.Options d = run.applyTo(SuTITraining.Options.defaults());
        if (batchSize != null) {
            d = d.withBatchSize(batchSize);
        }
        d = d.withLearningRates(d.loop().learningRate(), baseLearningRate)
                .withEvaluation(validation, samples, sampleSteps);
        SuTITraining.Options o = new SuTITraining.Options(d.model().withPlacement(where), d.minDemonstrations(),
                d.maxDemonstrations(), d.dropout(), d.loop(), d.baseLearningRate(), d.emaMaxDecay(),
                d.validationExamples(), d.samples(), d.sampleSteps(), subjectLossWeight);

        int size;
        try (DiffusionPipeline p = DiffusionPipelines.load(baseDir, Engine.getInstance().defaultDevice())) {
            size = p.defaultSize();
        }
        ApprenticeshipSource train;
        if (realPairs) {
            train = WorldSubjectPairs.training(pairsPerSubject, size, run.seed, realTargets);
        } else {
            ApprenticeshipStore store = ApprenticeshipStore.read(data);
            if (store.size() == 0) {
                throw new CommandLine.ParameterException(cl, "--data " + data + " holds no kept example yet");
            }
            train = store;
        }
        // enough held-out pairs for both: example i is of held-out subject i mod 50
        int held = Math.max(validation, samples);
        ApprenticeshipSource heldOut = held > 0
                ? WorldSubjectPairs.heldOut((held + SubjectCatalog.HELD_OUT - 1) / SubjectCatalog.HELD_OUT, size, run.seed)
                : null;
        Path work = run.workOr(realPairs ? "target/suti-real-pairs-work" : "target/suti-work");
        LOG.info("SuTI: training on {}; validation on {}; work {}", train.describe(),
                heldOut == null ? "nothing" : heldOut.describe(), work);
        SuTITraining.Result r = SuTITraining.train(o, baseDir, train, heldOut, out.resolve(SuTIPipeline.UNET), work,
                run.resume);
        SuTIPipeline.writeIndex(out, baseDir, InterleavedGuidance.defaults());
        LOG.info("SuTI: {} steps in {} s, final loss {}, held-out loss {} with the demonstrations, {} without; {}",
                r.steps(), Math.round(r.seconds()), fmt(r.finalLoss()), fmt(r.validationLoss()),
                fmt(r.validationLossWithoutDemos()), r.sutiDir());
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.5f", v);
    }
}
