package io.github.t2i4j.examples;

import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.suti.experts.DreamBooth;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.training.ApprenticeshipStore;
import io.github.t2i4j.suti.training.ExpertApprenticeship;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** SuTI's apprenticeship data: {@link ExpertApprenticeship} into a folder, with a progress bar; rerun to resume. */
@Command(
        name = "apprentice",
        mixinStandardHelpOptions = true,
        description = {
            "Make SuTI's apprenticeship data: for each of the first N training subjects, a DreamBooth expert"
                    + " fine-tuned on its demonstrations draws K new-context prompts, and the best of its images"
                    + " (by subject fidelity and text fidelity) become SuTI's targets.",
            "Writes OUT/examples.jsonl (one line per kept target), OUT/subjects.jsonl (one line per finished"
                    + " subject, with every candidate's scores and the expert's seconds), OUT/settings.json and the"
                    + " PNGs under OUT/subjects/. Rerun the same command to resume: finished subjects are skipped, an"
                    + " interrupted one is redone; a larger --subjects extends the data."
        })
final class SuTIApprenticeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SuTIApprenticeCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", defaultValue = "world-ldm", paramLabel = "DIR",
            description = "The StableDiffusionPipeline folder the experts are fine-tuned from, or a shipped model's name"
                    + " (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--subjects", defaultValue = "" + SubjectCatalog.TRAINING, paramLabel = "N",
            description = "The first N training subjects of the catalog, 1 to " + SubjectCatalog.TRAINING
                    + " (default: ${DEFAULT-VALUE}, all).")
    int subjects;

    @Option(names = "--prompts-per-subject", defaultValue = "16", paramLabel = "K",
            description = "New-context prompts (images) per subject (default: ${DEFAULT-VALUE}).")
    int prompts;

    @Option(names = "--keep", defaultValue = "0.25", paramLabel = "FRACTION",
            description = "Share of each subject's K images kept, in (0, 1]; at least one (default: ${DEFAULT-VALUE}).")
    double keep;

    @Option(names = "--min-score", defaultValue = "0", paramLabel = "S",
            description = "Least subject fidelity x text fidelity a kept image needs, in [0, 1] (default: ${DEFAULT-VALUE},"
                    + " none).")
    double minScore;

    @Option(names = "--demonstrations", defaultValue = "" + Demonstrations.MAX, paramLabel = "N",
            description = "Demonstrations per subject, " + Demonstrations.MIN + " to " + Demonstrations.MAX
                    + ": the expert's training images and the examples' demonstrations (default: ${DEFAULT-VALUE}).")
    int demonstrations;

    @Option(names = "--expert-steps", defaultValue = "400", paramLabel = "S",
            description = "DreamBooth fine-tuning steps per subject (default: ${DEFAULT-VALUE}, the paper's).")
    long expertSteps;

    @Option(names = "--expert-learning-rate", defaultValue = "5e-6", paramLabel = "LR",
            description = "DreamBooth's constant AdamW rate (default: ${DEFAULT-VALUE}, the paper's for Stable Diffusion).")
    double expertLearningRate;

    @Option(names = "--class-images", defaultValue = "100", paramLabel = "N",
            description = "Prior-preservation images of the subject's class drawn by the base; 0 turns the prior loss off"
                    + " (default: ${DEFAULT-VALUE}).")
    int classImages;

    @Option(names = "--sampling-steps", defaultValue = "20", paramLabel = "N",
            description = "Denoising steps of the experts' images (default: ${DEFAULT-VALUE}).")
    int samplingSteps;

    @Option(names = {"-g", "--guidance"}, defaultValue = "7.5", paramLabel = "SCALE",
            description = "Guidance scale of the experts' images (default: ${DEFAULT-VALUE}).")
    float guidance;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N",
            description = "Prompts per generator call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", paramLabel = "SEED",
            description = "Seed of the demonstrations, prompts, images and experts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT", description = "The data's folder (created or resumed).")
    Path out;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        SuTICommand.range(cl, "--subjects", subjects, 1, SubjectCatalog.TRAINING);
        SuTICommand.range(cl, "--demonstrations", demonstrations, Demonstrations.MIN, Demonstrations.MAX);
        SuTICommand.range(cl, "--prompts-per-subject", prompts, 1, ExpertApprenticeship.maxPrompts(demonstrations));
        if (!(keep > 0 && keep <= 1)) {
            throw new CommandLine.ParameterException(cl, "--keep must be in (0, 1], got " + keep);
        }
        if (!(minScore >= 0 && minScore <= 1)) {
            throw new CommandLine.ParameterException(cl, "--min-score must be in [0, 1], got " + minScore);
        }
        SuTICommand.range(cl, "--expert-steps", expertSteps, 1, Long.MAX_VALUE);
        if (!(expertLearningRate > 0)) {
            throw new CommandLine.ParameterException(cl, "--expert-learning-rate must be positive, got " + expertLearningRate);
        }
        SuTICommand.range(cl, "--class-images", classImages, 0, Integer.MAX_VALUE);
        SuTICommand.range(cl, "--sampling-steps", samplingSteps, 1, Integer.MAX_VALUE);
        SuTICommand.range(cl, "--batch-size", batchSize, 1, Integer.MAX_VALUE);
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(cl, "--out " + out + " is a file, not a folder");
        }
        Path baseDir = SuTICommand.base(base, cl);

        DreamBooth.Options expert = DreamBooth.Options.defaults("x", "x").withSteps(expertSteps)
                .withLearningRate(expertLearningRate).withSeed(seed);
        if (classImages == 0) {
            expert = expert.withPrior(0, 0);
        } else {
            expert = expert.withPrior(expert.priorWeight(), classImages);
        }
        ExpertApprenticeship.Options o = ExpertApprenticeship.Options.defaults().withSubjects(subjects)
                .withDemonstrations(demonstrations).withPromptsPerSubject(prompts).withFilter(keep, minScore)
                .withSampling(samplingSteps, guidance, batchSize).withSeed(seed).withDreamBooth(expert);
        ExpertApprenticeship job = new ExpertApprenticeship(o);
        ApprenticeshipStore store = ApprenticeshipStore.open(out);
        List<Subject> todo = job.subjects();
        long remaining = job.remainingImages(store, todo);
        LOG.info("apprenticeship: {} subjects ({} finished already), {} prompts each, keeping {}; experts: {} DreamBooth"
                + " steps at {}, {} class images; base {}", todo.size(), todo.stream().filter(s -> store.has(s.id())).count(),
                prompts, o.keptPerSubject(), expertSteps, expertLearningRate, classImages, baseDir);
        ExpertApprenticeship.Result r;
        try (StableDiffusionPipeline pipeline = SuTICommand.load(baseDir, device, cl);
                ProgressBar bar = EvaluationRuns.progressBar("apprentice", (int) Math.min(Integer.MAX_VALUE, remaining))) {
            try {
                r = job.run(pipeline, todo, store, bar::stepTo);
            } catch (ExpertApprenticeship.OtherSettingsException e) {
                throw new CommandLine.ParameterException(cl, e.getMessage());
            }
        }
        LOG.info("apprenticeship: {} subjects made ({} skipped) in {} s: experts {} s, generation {} s; {} images, {} kept;"
                + " {} examples in {}", r.subjectsDone(), r.subjectsSkipped(), fmt(r.seconds()), fmt(r.expertSeconds()),
                fmt(r.generationSeconds()), r.generated(), r.kept(), r.examples(), out.resolve(ApprenticeshipStore.EXAMPLES));
        return 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
