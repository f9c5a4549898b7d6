package io.github.t2i4j.examples;

import io.github.t2i4j.core.evaluation.CompositionBenchmark;
import io.github.t2i4j.core.evaluation.ReferenceSceneGenerator;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.clip.WorldClip;
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

/** Runs a generator over the world's held-out prompts and writes the evaluation report folder. */
@Command(
        name = "evaluate",
        mixinStandardHelpOptions = true,
        description = "Judge a generator on the bundled world's held-out prompts; writes metrics.json, report.md and image grids.")
final class EvaluateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(EvaluateCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|NAME|reference|planned[:DIR]",
            description = "A diffusers pipeline or STAR model directory, a shipped model's name (world-ldm, star, ...), 'reference' for the held-out reference renders (the upper bound), or 'planned' for IterComp's planned gallery member (grammar planner + regional prompting on the embedded model, or on DIR); default: the embedded models/world-ldm.")
    String model;

    @Option(names = "--clip", defaultValue = "models/world-clip", paramLabel = "DIR",
            description = "World CLIP for CLIP score and FID; 'none' to skip (default: ${DEFAULT-VALUE}).")
    String clip;

    @Option(names = "--per-category", defaultValue = "200", description = "Held-out prompts per category, at most 200 (default: ${DEFAULT-VALUE}).")
    int perCategory;

    @Option(names = "--categories", split = ",", description = "Categories to run (default: the six T2I-CompBench ones and single).")
    List<Category> categories;

    @Option(names = "--steps", defaultValue = "20", description = "Denoising steps for a diffusion model (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"-g", "--guidance"}, description = "Guidance scale (default: 7.5 for a diffusion model, the folder's CFG for STAR).")
    Float guidance;

    @Option(names = "--scheduler", description = "Scheduler name (default: the model's).")
    String scheduler;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", description = "Noise seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--batch-size", defaultValue = "16", description = "Prompts per generator call (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-o", "--out"}, defaultValue = "evaluation", paramLabel = "DIR", description = "Report folder (default: ${DEFAULT-VALUE}).")
    Path out;

    /** The --model value of IterComp's planned gallery member. */
    static final String PLANNED = "planned";

    @Override
    public Integer call() {
        List<Category> cats = categories != null ? categories : EvaluationRuns.allCategories();
        CompositionBenchmark.Options options = new CompositionBenchmark.Options(perCategory, seed, batchSize, 24);
        int total = cats.size() * Math.min(perCategory, HeldOutSet.SIZE);
        try (TextToImageGenerator generator = generator();
                WorldClip judge = EvaluationRuns.openClip(clip, device);
                ProgressBar bar = EvaluationRuns.progressBar("evaluate", total)) {
            CompositionBenchmark.Report r = CompositionBenchmark.run(generator, cats, options, judge, out, bar::stepTo);
            LOG.info("overall {} (clip score {}, fid {}); report in {}", r.summary().overall(),
                    r.clipScore(), r.fid(), out.resolve("report.md"));
        }
        return 0;
    }

    private TextToImageGenerator generator() {
        if ("reference".equals(model)) {
            List<WorldExample> all = new ArrayList<>();
            for (Category c : Category.values()) {
                all.addAll(HeldOutSet.load(c));
            }
            return new ReferenceSceneGenerator(all, SceneRenderer.DEFAULT_SIZE);
        }
        if (model != null && (model.equals(PLANNED) || model.startsWith(PLANNED + ":"))) {
            String base = model.equals(PLANNED) ? null : model.substring(PLANNED.length() + 1);
            Path dir = DefaultModel.resolve(base, spec.commandLine());
            return EvaluationRuns.planned("planned (" + dir.getFileName() + ")", dir, device, steps, guidance, scheduler);
        }
        return Generators.open(DefaultModel.resolve(model, spec.commandLine()), device, steps, guidance, scheduler);
    }
}
