package io.github.t2i4j.examples;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.suti.eval.ClipImageSimilarity;
import io.github.t2i4j.suti.experts.DreamBooth;
import io.github.t2i4j.suti.experts.ExpertEvaluation;
import io.github.t2i4j.suti.experts.TextualInversion;
import io.github.t2i4j.suti.model.InterleavedGuidance;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.core.image.Images;
import java.awt.image.BufferedImage;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.training.ExpertApprenticeship;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * SuTI against the per-subject baselines, DreamBooth and Textual Inversion, on held-out subjects
 * ({@link ExpertEvaluation}, DreamBench's protocol, the same demonstrations and prompts for every
 * method): {@code OUT/report.md} (the means, the issue's three checks of SuTI against DreamBooth,
 * image grids and a row per subject), {@code OUT/report.json} and {@code OUT/grids/}.
 */
@Command(
        name = "evaluate",
        aliases = "experts",
        mixinStandardHelpOptions = true,
        description = {
            "Compare SuTI with the per-subject baselines on held-out subjects (DreamBench's protocol): per subject, a"
                    + " DreamBooth or Textual Inversion expert learns from its demonstrations and draws new-context"
                    + " prompts; SuTI draws the same prompts from the same demonstrations without tuning. Images are"
                    + " judged by subject fidelity, text fidelity and CLIP-I; wall time per subject counts the"
                    + " fine-tuning.",
            "Writes OUT/report.md (means per method, SuTI's ratios to DreamBooth, image grids, a row per subject),"
                    + " OUT/report.json and OUT/grids/subject-ID.png (demonstrations | one column per method, a row"
                    + " per prompt)."
        })
final class SuTIEvaluateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SuTIEvaluateCommand.class);
    /** Textual Inversion's placeholder string. */
    static final String PLACEHOLDER = "<subject>";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", defaultValue = "world-ldm", paramLabel = "DIR",
            description = "The StableDiffusionPipeline folder the experts learn on, or a shipped model's name"
                    + " (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--method", defaultValue = "dreambooth,textual-inversion,suti", split = ",", paramLabel = "METHOD",
            description = "dreambooth, textual-inversion, suti, base (the base model on the plain prompts, no"
                    + " subject information: the floor) and/or suti-other-demos (SuTI shown the next subject's"
                    + " demonstrations: what its subject fidelity owes to anything but the demonstrations),"
                    + " comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> methods;

    @Option(names = "--suti", defaultValue = "suti", paramLabel = "DIR|NAME",
            description = "The SuTI model folder (from 'suti train') or a shipped model's name, trained on --base"
                    + " (default: ${DEFAULT-VALUE}).")
    String suti;

    @Option(names = "--compare-suti", paramLabel = "DIR",
            description = "A second SuTI folder evaluated beside --suti on the same tasks and guidance, with its own"
                    + " row and grid column: an ablation, e.g. one trained with 'suti train --real-pairs'.")
    Path compareSuti;

    @Option(names = "--text-guidance", paramLabel = "W", description = "SuTI's text guidance scale (default: the SuTI folder's).")
    Float textGuidance;

    @Option(names = "--demo-guidance", paramLabel = "W",
            description = "SuTI's demonstration guidance scale (default: the SuTI folder's).")
    Float demoGuidance;

    @Option(names = "--text-ratio", paramLabel = "P",
            description = "Share of SuTI's steps that use text guidance, in [0, 1] (default: the SuTI folder's).")
    Double textRatio;

    @Option(names = "--grid-subjects", defaultValue = "6", paramLabel = "N",
            description = "Subjects shown as image grids in the report (default: ${DEFAULT-VALUE}).")
    int gridSubjects;

    @Option(names = "--grid-prompts", defaultValue = "4", paramLabel = "N",
            description = "Prompts (rows) per grid (default: ${DEFAULT-VALUE}).")
    int gridPrompts;

    @Option(names = "--subjects", defaultValue = "10", paramLabel = "N",
            description = "The first N held-out subjects, 1 to " + SubjectCatalog.HELD_OUT + " (default: ${DEFAULT-VALUE}).")
    int subjects;

    @Option(names = "--demonstrations", defaultValue = "4", paramLabel = "N",
            description = "Training images per subject, " + Demonstrations.MIN + " to " + Demonstrations.MAX
                    + " (default: ${DEFAULT-VALUE}).")
    int demonstrations;

    @Option(names = "--prompts", defaultValue = "25", paramLabel = "N",
            description = "New-context prompts per subject (default: ${DEFAULT-VALUE}, DreamBench's).")
    int prompts;

    @Option(names = "--expert-steps", paramLabel = "S",
            description = "DreamBooth's fine-tuning steps per subject (default: 400, the paper's).")
    Long expertSteps;

    @Option(names = "--expert-learning-rate", paramLabel = "LR",
            description = "DreamBooth's constant AdamW rate (default: 5e-6, the paper's for Stable Diffusion).")
    Double expertLearningRate;

    @Option(names = "--inversion-steps", paramLabel = "S",
            description = "Textual Inversion's steps per subject (default: 3000, the paper's).")
    Long inversionSteps;

    @Option(names = "--inversion-learning-rate", paramLabel = "LR",
            description = "Textual Inversion's constant AdamW rate (default: 5e-4).")
    Double inversionLearningRate;

    @Option(names = "--class-images", defaultValue = "100", paramLabel = "N",
            description = "DreamBooth's prior-preservation images; 0 turns the prior loss off (default: ${DEFAULT-VALUE}).")
    int classImages;

    @Option(names = "--sampling-steps", defaultValue = "20", paramLabel = "N",
            description = "Denoising steps per image (default: ${DEFAULT-VALUE}).")
    int samplingSteps;

    @Option(names = {"-g", "--guidance"}, defaultValue = "7.5", paramLabel = "SCALE",
            description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    float guidance;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", paramLabel = "SEED",
            description = "Seed of the demonstrations, prompts, images and experts (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--clip", defaultValue = "models/world-clip", paramLabel = "DIR",
            description = "World CLIP for CLIP-I; 'none' to skip (default: ${DEFAULT-VALUE}).")
    String clip;

    @Option(names = "--device", defaultValue = "cpu", paramLabel = "DEVICE", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "OUT",
            description = "Output folder: OUT/report.md, OUT/report.json and OUT/grids/.")
    Path out;

    @Override
    public Integer call() throws IOException {
        CommandLine cl = spec.commandLine();
        List<ExpertEvaluation.Method> chosen = new ArrayList<>();
        for (String m : new LinkedHashSet<>(methods)) {
            chosen.add(method(m, cl));
        }
        SuTICommand.range(cl, "--subjects", subjects, 1, SubjectCatalog.HELD_OUT);
        SuTICommand.range(cl, "--demonstrations", demonstrations, Demonstrations.MIN, Demonstrations.MAX);
        SuTICommand.range(cl, "--prompts", prompts, 1, ExpertApprenticeship.maxPrompts(demonstrations));
        if (expertSteps != null) {
            SuTICommand.range(cl, "--expert-steps", expertSteps, 1, Long.MAX_VALUE);
        }
        if (inversionSteps != null) {
            SuTICommand.range(cl, "--inversion-steps", inversionSteps, 1, Long.MAX_VALUE);
        }
        if (inversionLearningRate != null && !(inversionLearningRate > 0)) {
            throw new CommandLine.ParameterException(cl, "--inversion-learning-rate must be positive, got "
                    + inversionLearningRate);
        }
        if (expertLearningRate != null && !(expertLearningRate > 0)) {
            throw new CommandLine.ParameterException(cl, "--expert-learning-rate must be positive, got " + expertLearningRate);
        }
        SuTICommand.range(cl, "--class-images", classImages, 0, Integer.MAX_VALUE);
        SuTICommand.range(cl, "--sampling-steps", samplingSteps, 1, Integer.MAX_VALUE);
        if (!EvaluationRuns.NO_CLIP.equals(clip) && !Files.isDirectory(Path.of(clip))) {
            throw new CommandLine.ParameterException(cl, "--clip " + clip + " is not a folder (a world CLIP); 'none' skips"
                    + " CLIP-I");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(cl, "--out " + out + " is a file, not a folder");
        }
        SuTICommand.range(cl, "--grid-subjects", gridSubjects, 0, SubjectCatalog.HELD_OUT);
        SuTICommand.range(cl, "--grid-prompts", gridPrompts, 1, Integer.MAX_VALUE);
        if (textRatio != null && !(textRatio >= 0 && textRatio <= 1)) {
            throw new CommandLine.ParameterException(cl, "--text-ratio must be in [0, 1], got " + textRatio);
        }
        Path baseDir = SuTICommand.base(base, cl);
        Path sutiDir = chosen.contains(ExpertEvaluation.Method.SUTI) || chosen.contains(ExpertEvaluation.Method.SUTI_OTHER_DEMOS)
                ? SuTICommand.sutiFolder(suti, "--suti", cl) : null;
        if (chosen.contains(ExpertEvaluation.Method.SUTI_OTHER_DEMOS) && subjects < 2) {
            throw new CommandLine.ParameterException(cl, "--method suti-other-demos needs --subjects 2 or more");
        }
        if (compareSuti != null && !chosen.contains(ExpertEvaluation.Method.SUTI)) {
            throw new CommandLine.ParameterException(cl, "--compare-suti needs the suti method in --method");
        }
        Path compareDir = compareSuti == null ? null : SuTICommand.sutiFolder(compareSuti.toString(), "--compare-suti", cl);
        List<Subject> heldOut = SubjectCatalog.load().heldOut().subList(0, subjects);

        List<ExpertEvaluation.Report> reports = new ArrayList<>();
        try (StableDiffusionPipeline pipeline = SuTICommand.load(baseDir, device, cl);
                WorldClip world = EvaluationRuns.openClip(clip, device);
                SuTIPipeline sutiPipeline = sutiDir == null ? null : SuTICommand.openSuTI(sutiDir, pipeline, cl);
                SuTIPipeline comparePipeline = compareDir == null ? null : SuTICommand.openSuTI(compareDir, pipeline, cl)) {
            ClipImageSimilarity clipI = world == null ? null : new ClipImageSimilarity(world);
            String identifier = ExpertApprenticeship.chooseIdentifier(pipeline, heldOut);
            DreamBooth.Options db = DreamBooth.Options.defaults(identifier, "x").withSeed(seed);
            db = classImages == 0 ? db.withPrior(0, 0) : db.withPrior(db.priorWeight(), classImages);
            TextualInversion.Options ti = TextualInversion.Options.defaults(PLACEHOLDER, "x").withSeed(seed);
            if (expertSteps != null) {
                db = db.withSteps(expertSteps);
            }
            if (expertLearningRate != null) {
                db = db.withLearningRate(expertLearningRate);
            }
            if (inversionSteps != null) {
                ti = ti.withSteps(inversionSteps);
            }
            if (inversionLearningRate != null) {
                ti = ti.withLearningRate(inversionLearningRate);
            }
            InterleavedGuidance g = sutiPipeline == null ? InterleavedGuidance.defaults() : sutiPipeline.guidanceDefaults();
            g = new InterleavedGuidance(textGuidance == null ? g.textScale() : textGuidance,
                    demoGuidance == null ? g.demoScale() : demoGuidance, textRatio == null ? g.textRatio() : textRatio);
            ExpertEvaluation.Options options = new ExpertEvaluation.Options(chosen.get(0), demonstrations, prompts,
                    samplingSteps, guidance, seed, db, ti, sutiPipeline, g);
            for (ExpertEvaluation.Method m : chosen) {
                LOG.info("{} on {} held-out subjects: {} demonstrations, {} prompts each; base {}", m, subjects,
                        demonstrations, prompts, baseDir);
                ExpertEvaluation.Report r = ExpertEvaluation.run(pipeline, heldOut, options.withMethod(m), clipI);
                reports.add(r);
                LOG.info("{}", r.markdownRow());
                if (m == ExpertEvaluation.Method.SUTI && comparePipeline != null) {
                    LOG.info("SUTI ({}) on the same tasks", compareDir);
                    ExpertEvaluation.Report c = ExpertEvaluation.run(pipeline, heldOut,
                            options.withMethod(m).withSuTI(comparePipeline), clipI).named(compareName(compareDir));
                    reports.add(c);
                    LOG.info("{}", c.markdownRow());
                }
            }
            Files.createDirectories(out);
            List<Grid> grids = writeGrids(reports, compareDir, heldOut, pipeline.defaultSize(), options);
            Files.writeString(out.resolve("report.md"), markdown(reports, baseDir, sutiDir, compareDir, options, grids),
                    StandardCharsets.UTF_8);
            Files.writeString(out.resolve("report.json"), json(reports, baseDir, sutiDir, compareDir, options), StandardCharsets.UTF_8);
        }
        LOG.info("SuTI and the per-subject baselines: {} and {}", out.resolve("report.md"), out.resolve("report.json"));
        return 0;
    }

    private static ExpertEvaluation.Method method(String name, CommandLine cl) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "dreambooth" -> ExpertEvaluation.Method.DREAMBOOTH;
            case "textual-inversion" -> ExpertEvaluation.Method.TEXTUAL_INVERSION;
            case "suti" -> ExpertEvaluation.Method.SUTI;
            case "base" -> ExpertEvaluation.Method.BASE;
            case "suti-other-demos" -> ExpertEvaluation.Method.SUTI_OTHER_DEMOS;
            default -> throw new CommandLine.ParameterException(cl, "--method " + name
                    + " is not a method: dreambooth, textual-inversion, suti, base or suti-other-demos");
        };
    }

    /**
     * One PNG per shown subject: row i holds prompt i's images, demonstrations first (in the first row
     * only), then one column per method.
     */
    private List<Grid> writeGrids(List<ExpertEvaluation.Report> reports, Path compareDir, List<Subject> heldOut, int size,
            ExpertEvaluation.Options o) {
        List<Grid> paths = new ArrayList<>();
        BufferedImage blank = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = blank.createGraphics();
        g.setColor(java.awt.Color.WHITE);
        g.fillRect(0, 0, size, size);
        g.dispose();
        for (int s = 0; s < Math.min(gridSubjects, heldOut.size()); s++) {
            ExpertEvaluation.Task task = ExpertEvaluation.task(heldOut.get(s), size, o);
            int k = task.shown().size();
            int rows = Math.min(gridPrompts, task.asked().size());
            List<BufferedImage> cells = new ArrayList<>();
            List<String> captions = new ArrayList<>();
            for (int row = 0; row < rows; row++) {
                for (int d = 0; d < k; d++) {
                    cells.add(row == 0 ? task.shown().get(d).image() : blank);
                    captions.add(row == 0 ? "demo " + (d + 1) : "");
                }
                for (ExpertEvaluation.Report r : reports) {
                    cells.add(r.images().get(s).get(row));
                    captions.add(shortName(r, compareDir) + " p" + (row + 1));
                }
            }
            BufferedImage grid = Images.grid(cells, captions, k + reports.size());
            String rel = "grids/subject-" + heldOut.get(s).id() + ".png";
            Images.writePng(grid, out.resolve(rel));
            paths.add(new Grid(rel, heldOut.get(s).id(),
                    task.asked().subList(0, rows).stream().map(io.github.t2i4j.suti.subjects.SubjectPrompt::text).toList()));
        }
        return paths;
    }

    /** A grid written: its path relative to OUT, the subject and the prompts of its rows. */
    private record Grid(String path, int subjectId, List<String> prompts) {}

    /** A grid column's caption: the method's short name, or the compared folder's name (its first 8 characters). */
    private static String shortName(ExpertEvaluation.Report r, Path compareDir) {
        if (compareDir != null && r.name().equals(compareName(compareDir))) {
            String folder = folderName(compareDir);
            return folder.length() <= 8 ? folder : folder.substring(0, 8);
        }
        return switch (r.method()) {
            case DREAMBOOTH -> "DB";
            case TEXTUAL_INVERSION -> "TI";
            case SUTI -> "SuTI";
            case BASE -> "base";
            case SUTI_OTHER_DEMOS -> "other";
        };
    }

    /** The compared SuTI folder's row name: SUTI (its folder name). */
    private static String compareName(Path dir) {
        return "SUTI (" + folderName(dir) + ")";
    }

    private static String folderName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return String.valueOf(name == null ? dir : name);
    }

    private String markdown(List<ExpertEvaluation.Report> reports, Path baseDir, Path sutiDir, Path compareDir,
            ExpertEvaluation.Options o, List<Grid> grids) {
        DreamBooth.Options db = o.dreamBooth();
        TextualInversion.Options ti = o.textualInversion();
        InterleavedGuidance sutiGuidance = o.sutiGuidance();
        StringBuilder sb = new StringBuilder();
        sb.append("# SuTI and the per-subject baselines on held-out subjects\n\n");
        sb.append(String.format(Locale.ROOT, "Base `%s`; %d held-out subjects, %d demonstrations and %d new-context"
                + " prompts each (the same for every method), %d sampling steps, seed %d. DreamBooth: %d steps at %s,"
                + " %d class images (identifier '%s'); Textual Inversion: %d steps at %s, batch %d; both at guidance %s."
                + " Subject fidelity passes at 0.65; expert seconds count the whole fine-tuning (prior images"
                + " included), total seconds the expert and the prompts' images. An image copies a demonstration when"
                + " its position, size and background are all those of one demonstration (prompts ask for contexts"
                + " no demonstration shows).",
                baseDir, subjects, demonstrations, prompts, samplingSteps, seed, db.steps(), db.learningRate(),
                db.classImages(), db.identifier(), ti.steps(), ti.learningRate(), ti.batchSize(), guidance));
        if (sutiDir != null) {
            sb.append(String.format(Locale.ROOT, " SuTI: `%s`, interleaved guidance text %s, demonstrations %s, text"
                    + " ratio %s.", sutiDir, sutiGuidance.textScale(), sutiGuidance.demoScale(), sutiGuidance.textRatio()));
        }
        if (compareDir != null) {
            sb.append(String.format(Locale.ROOT, " Compared SuTI folder (same guidance): `%s`, row %s.", compareDir,
                    compareName(compareDir)));
        }
        sb.append("\n\n").append(ExpertEvaluation.Report.markdownHeader()).append('\n');
        reports.forEach(r -> sb.append(r.markdownRow()).append('\n'));
        ExpertEvaluation.Report dreamBooth = find(reports, ExpertEvaluation.Method.DREAMBOOTH);
        ExpertEvaluation.Report sutiReport = find(reports, ExpertEvaluation.Method.SUTI);
        if (dreamBooth != null && sutiReport != null) {
            double sf = sutiReport.mean(ExpertEvaluation.SubjectResult::subjectFidelity)
                    / dreamBooth.mean(ExpertEvaluation.SubjectResult::subjectFidelity);
            double tf = sutiReport.mean(ExpertEvaluation.SubjectResult::textFidelity);
            double tfDb = dreamBooth.mean(ExpertEvaluation.SubjectResult::textFidelity);
            double speed = dreamBooth.mean(ExpertEvaluation.SubjectResult::totalSeconds)
                    / sutiReport.mean(ExpertEvaluation.SubjectResult::totalSeconds);
            sb.append("\n## SuTI against DreamBooth\n\n| check | measured | needed | met |\n|---|---|---|---|\n");
            sb.append(String.format(Locale.ROOT, "| subject fidelity, SuTI / DreamBooth | %.3f | >= 0.90 | %s |%n", sf,
                    sf >= 0.9 ? "yes" : "no"));
            sb.append(String.format(Locale.ROOT, "| text fidelity, SuTI - DreamBooth | %+.3f | >= 0 | %s |%n", tf - tfDb,
                    tf >= tfDb ? "yes" : "no"));
            sb.append(String.format(Locale.ROOT, "| wall time per new subject, DreamBooth / SuTI | %.1fx | >= 20x | %s |%n",
                    speed, speed >= 20 ? "yes" : "no"));
        }
        ExpertEvaluation.Report other = find(reports, ExpertEvaluation.Method.SUTI_OTHER_DEMOS);
        ExpertEvaluation.Report floor = find(reports, ExpertEvaluation.Method.BASE);
        if (sutiReport != null && other != null) {
            double own = sutiReport.mean(ExpertEvaluation.SubjectResult::subjectFidelity);
            double theirs = other.mean(ExpertEvaluation.SubjectResult::subjectFidelity);
            sb.append(String.format(Locale.ROOT, "%nWhat SuTI reads from the demonstrations: subject fidelity %.3f with the"
                    + " subject's own, %.3f with the next subject's (the same prompts)%s.%n", own, theirs, floor == null ? ""
                    : String.format(Locale.ROOT, "; the base on the plain prompts %.3f",
                            floor.mean(ExpertEvaluation.SubjectResult::subjectFidelity))));
        }
        if (!grids.isEmpty()) {
            sb.append("\n## Images\n\nPer subject: its demonstrations (first row), then each method's image for the"
                    + " same prompt, one prompt per row.\n\n");
            for (Grid grid : grids) {
                sb.append("### Subject ").append(grid.subjectId()).append("\n\n");
                sb.append("![subject ").append(grid.subjectId()).append("](").append(grid.path()).append(")\n\n");
                for (int p = 0; p < grid.prompts().size(); p++) {
                    sb.append("- p").append(p + 1).append(": \"").append(grid.prompts().get(p)).append("\"\n");
                }
                sb.append('\n');
            }
        }
        sb.append("\n## Per subject\n\n");
        sb.append("| method | subject | subject fidelity | passes (0.65) | text fidelity | copies | CLIP-I | expert s"
                + " | generation s |\n");
        sb.append("|---|---|---|---|---|---|---|---|---|\n");
        for (ExpertEvaluation.Report r : reports) {
            for (ExpertEvaluation.SubjectResult s : r.subjects()) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f |%n",
                        r.name(), s.subjectId(), s.subjectFidelity(), s.subjectPassRate(), s.textFidelity(),
                        s.copyRate(), s.clipI(),
                        s.expertSeconds(), s.generationSeconds()));
            }
        }
        return sb.toString();
    }

    private static ExpertEvaluation.Report find(List<ExpertEvaluation.Report> reports, ExpertEvaluation.Method m) {
        return reports.stream().filter(r -> r.method() == m).findFirst().orElse(null);
    }

    private String json(List<ExpertEvaluation.Report> reports, Path baseDir, Path sutiDir, Path compareDir,
            ExpertEvaluation.Options options) {
        DreamBooth.Options db = options.dreamBooth();
        TextualInversion.Options ti = options.textualInversion();
        InterleavedGuidance sutiGuidance = options.sutiGuidance();
        JsonObject o = new JsonObject();
        o.addProperty("base", baseDir.toString());
        if (sutiDir != null) {
            JsonObject s = new JsonObject();
            s.addProperty("folder", sutiDir.toString());
            s.addProperty("textGuidance", sutiGuidance.textScale());
            s.addProperty("demoGuidance", sutiGuidance.demoScale());
            s.addProperty("textRatio", sutiGuidance.textRatio());
            o.add("suti", s);
        }
        if (compareDir != null) {
            o.addProperty("compareSuti", compareDir.toString());
        }
        o.addProperty("subjects", subjects);
        o.addProperty("demonstrations", demonstrations);
        o.addProperty("prompts", prompts);
        o.addProperty("samplingSteps", samplingSteps);
        o.addProperty("guidance", guidance);
        o.addProperty("seed", seed);
        JsonObject dreamBooth = db.settingsJson();
        dreamBooth.addProperty("identifier", db.identifier());
        o.add("dreamBooth", dreamBooth);
        JsonObject textualInversion = new JsonObject();
        textualInversion.addProperty("steps", ti.steps());
        textualInversion.addProperty("learningRate", ti.learningRate());
        textualInversion.addProperty("batchSize", ti.batchSize());
        textualInversion.addProperty("placeholder", ti.placeholder());
        o.add("textualInversion", textualInversion);
        JsonArray methods = new JsonArray();
        for (ExpertEvaluation.Report r : reports) {
            JsonObject m = new JsonObject();
            m.addProperty("method", r.method().name());
            m.addProperty("name", r.name());
            num(m, "subjectFidelity", r.mean(ExpertEvaluation.SubjectResult::subjectFidelity));
            num(m, "subjectPassRate", r.mean(ExpertEvaluation.SubjectResult::subjectPassRate));
            num(m, "textFidelity", r.mean(ExpertEvaluation.SubjectResult::textFidelity));
            num(m, "copyRate", r.mean(ExpertEvaluation.SubjectResult::copyRate));
            num(m, "clipI", r.mean(ExpertEvaluation.SubjectResult::clipI));
            num(m, "expertSecondsPerSubject", r.mean(ExpertEvaluation.SubjectResult::expertSeconds));
            num(m, "generationSecondsPerSubject", r.mean(ExpertEvaluation.SubjectResult::generationSeconds));
            num(m, "totalSecondsPerSubject", r.mean(ExpertEvaluation.SubjectResult::totalSeconds));
            JsonArray rows = new JsonArray();
            for (ExpertEvaluation.SubjectResult s : r.subjects()) {
                JsonObject row = new JsonObject();
                row.addProperty("subject", s.subjectId());
                num(row, "subjectFidelity", s.subjectFidelity());
                num(row, "subjectPassRate", s.subjectPassRate());
                num(row, "textFidelity", s.textFidelity());
                num(row, "copyRate", s.copyRate());
                num(row, "clipI", s.clipI());
                num(row, "expertSeconds", s.expertSeconds());
                num(row, "generationSeconds", s.generationSeconds());
                rows.add(row);
            }
            m.add("subjects", rows);
            methods.add(m);
        }
        o.add("methods", methods);
        return new GsonBuilder().setPrettyPrinting().serializeNulls().disableHtmlEscaping().create().toJson(o) + "\n";
    }

    /** A number, or null where it was not measured (NaN). */
    private static void num(JsonObject o, String key, double v) {
        if (Double.isFinite(v)) {
            o.addProperty(key, v);
        } else {
            o.add(key, com.google.gson.JsonNull.INSTANCE);
        }
    }
}
