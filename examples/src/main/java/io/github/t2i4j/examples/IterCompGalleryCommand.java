package io.github.t2i4j.examples;

import io.github.t2i4j.core.evaluation.CompositionBenchmark;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.itercomp.gallery.GalleryComparison;
import io.github.t2i4j.itercomp.gallery.ModelGallery;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * IterComp's model gallery on the world's held-out prompts: every member through the {@link
 * CompositionBenchmark} (its report folder under {@code OUT/NAME/}), then the comparison table
 * {@code OUT/gallery.md} and {@code OUT/gallery.json}: per category each member's all-correct rate
 * and score, which member leads it, FID, CLIP score and seconds per image.
 */
@Command(
        name = "gallery",
        mixinStandardHelpOptions = true,
        description = {
            "Judge IterComp's model gallery on the world's held-out prompts and compare its members.",
            "Writes a report folder per member (OUT/NAME/), then compares them in OUT/gallery.md and in"
                    + " OUT/gallery.json: per category each member's all-correct rate and score and the leader (the member"
                    + " with the highest all-correct rate), FID, CLIP score and seconds per image. Members load first, all"
                    + " at once; then each runs in turn."
        })
final class IterCompGalleryCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(IterCompGalleryCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--member", required = true, paramLabel = "SPEC",
            description = {"A gallery member, at least two (repeat the option): NAME=DIR (a diffusers pipeline or STAR"
                    + " folder, or a shipped model's name: world-ldm, star, ...), NAME=planned:DIR (grammar planner +"
                    + " regional prompting on that StableDiffusionPipeline; NAME=planned alone: on the embedded model) or"
                    + " NAME=layout:PIPELINE_DIR,GLIGEN_DIR (the GLIGEN UNet trained on that pipeline).",
                    "NAME (letters, digits, '.', '_', '-') names the member's report folder and table row."})
    List<String> members;

    @Option(names = "--per-category", defaultValue = "200", paramLabel = "N",
            description = "Held-out prompts per category, at most 200 (default: ${DEFAULT-VALUE}).")
    int perCategory;

    @Option(names = "--categories", split = ",", paramLabel = "CATEGORY",
            description = "Categories to run, comma-separated: ${COMPLETION-CANDIDATES} (default: all seven).")
    List<Category> categories;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", paramLabel = "SEED",
            description = "Noise seed, the same for every member (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N",
            description = "Denoising steps of the diffusion, planned and layout members (default: ${DEFAULT-VALUE};"
                    + " STAR keeps its own).")
    int steps;

    @Option(names = {"-g", "--guidance"}, paramLabel = "SCALE",
            description = "Guidance scale of every member (default: each one's own: 7.5 for a diffusion model, 5 for"
                    + " planned and layout members, the folder's CFG for STAR).")
    Float guidance;

    @Option(names = "--clip", defaultValue = "models/world-clip", paramLabel = "DIR",
            description = "World CLIP for CLIP score and FID; 'none' to skip (default: ${DEFAULT-VALUE}).")
    String clip;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE",
            description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT",
            description = "Output folder: OUT/NAME/ per member, OUT/gallery.md and OUT/gallery.json.")
    Path out;

    /** Prompts per generator call, as {@code evaluate}'s default, so that seconds per image compare. */
    private static final int BATCH_SIZE = 16;

    @Override
    public Integer call() {
        CommandLine cl = spec.commandLine();
        if (members.size() < 2) {
            throw new CommandLine.ParameterException(cl, "a gallery needs at least two --member, got " + members.size()
                    + " (" + String.join(", ", members) + ")");
        }
        if (perCategory < 1) {
            throw new CommandLine.ParameterException(cl, "--per-category must be at least 1, got " + perCategory);
        }
        if (steps < 1) {
            throw new CommandLine.ParameterException(cl, "--steps must be at least 1, got " + steps);
        }
        List<Category> cats = categories != null && !categories.isEmpty()
                ? new ArrayList<>(new LinkedHashSet<>(categories)) : EvaluationRuns.allCategories();
        List<GalleryMembers.Spec> specs = GalleryMembers.parse(members, cl);
        CompositionBenchmark.Options options = new CompositionBenchmark.Options(perCategory, seed, BATCH_SIZE, 24);
        int total = cats.size() * Math.min(perCategory, HeldOutSet.SIZE);
        List<CompositionBenchmark.Report> reports = new ArrayList<>();
        try (ModelGallery gallery = GalleryMembers.open(specs, device, steps, guidance, cl);
                WorldClip judge = EvaluationRuns.openClip(clip, device)) {
            LOG.info("gallery {}: {} categories, {} prompts each", gallery.names(), cats.size(),
                    Math.min(perCategory, HeldOutSet.SIZE));
            for (TextToImageGenerator member : gallery.members()) {
                Path dir = out.resolve(member.name());
                try (ProgressBar bar = EvaluationRuns.progressBar(member.name(), total)) {
                    CompositionBenchmark.Report r = CompositionBenchmark.run(member, cats, options, judge, dir, bar::stepTo);
                    LOG.info("{}: overall {} (clip score {}, fid {}, {} s/image); report in {}", member.name(),
                            fmt(r.summary().overall()), fmt(r.clipScore()), fmt(r.fid()), fmt(r.secondsPerImage()),
                            dir.resolve("report.md"));
                    reports.add(r);
                }
            }
        }
        GalleryComparison comparison = GalleryComparison.of(reports);
        Path md = comparison.write(out);
        for (Category c : comparison.categories()) {
            List<String> leaders = comparison.leaders(c);
            LOG.info("{} led by {}", c.key(), leaders.isEmpty() ? "none (no prompt all correct)" : String.join(", ", leaders));
        }
        LOG.info("preferences differ (different members lead different categories): {}; table in {}",
                comparison.preferencesDiffer(), md);
        return 0;
    }

    private static String fmt(Double v) {
        return v == null ? "n/a" : String.format(Locale.ROOT, "%.3f", v);
    }
}
