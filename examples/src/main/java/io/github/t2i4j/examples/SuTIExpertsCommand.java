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
 * The per-subject baselines, DreamBooth and Textual Inversion, on held-out subjects ({@link
 * ExpertEvaluation}, DreamBench's protocol): {@code OUT/experts.md} (a table of the means and one of
 * every subject) and {@code OUT/experts.json}.
 */
@Command(
        name = "experts",
        mixinStandardHelpOptions = true,
        description = {
            "Measure the per-subject baselines on held-out subjects (DreamBench's protocol): per subject, a DreamBooth"
                    + " or Textual Inversion expert learns from its demonstrations, then draws new-context prompts,"
                    + " judged by subject fidelity, text fidelity and CLIP-I.",
            "Writes OUT/experts.md (the means per method and a row per subject: fidelities, CLIP-I, seconds per subject"
                    + " with the fine-tuning included) and OUT/experts.json."
        })
final class SuTIExpertsCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(SuTIExpertsCommand.class);
    /** Textual Inversion's placeholder string. */
    static final String PLACEHOLDER = "<subject>";

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--base", defaultValue = "world-ldm", paramLabel = "DIR",
            description = "The StableDiffusionPipeline folder the experts learn on, or a shipped model's name"
                    + " (default: ${DEFAULT-VALUE}).")
    String base;

    @Option(names = "--method", defaultValue = "dreambooth", split = ",", paramLabel = "METHOD",
            description = "dreambooth, textual-inversion, or both comma-separated (default: ${DEFAULT-VALUE}).")
    List<String> methods;

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
            description = "Fine-tuning steps per subject (default: each method's own: 400 for DreamBooth, 3000 for"
                    + " Textual Inversion).")
    Long expertSteps;

    @Option(names = "--expert-learning-rate", paramLabel = "LR",
            description = "The expert's constant AdamW rate (default: each method's own: 5e-6 for DreamBooth, 5e-4 for"
                    + " Textual Inversion).")
    Double expertLearningRate;

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
            description = "Output folder: OUT/experts.md and OUT/experts.json.")
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
        Path baseDir = SuTICommand.base(base, cl);
        List<Subject> heldOut = SubjectCatalog.load().heldOut().subList(0, subjects);

        List<ExpertEvaluation.Report> reports = new ArrayList<>();
        try (StableDiffusionPipeline pipeline = SuTICommand.load(baseDir, device, cl);
                WorldClip world = EvaluationRuns.openClip(clip, device)) {
            ClipImageSimilarity clipI = world == null ? null : new ClipImageSimilarity(world);
            String identifier = ExpertApprenticeship.chooseIdentifier(pipeline, heldOut);
            DreamBooth.Options db = DreamBooth.Options.defaults(identifier, "x").withSeed(seed);
            db = classImages == 0 ? db.withPrior(0, 0) : db.withPrior(db.priorWeight(), classImages);
            TextualInversion.Options ti = TextualInversion.Options.defaults(PLACEHOLDER, "x").withSeed(seed);
            if (expertSteps != null) {
                db = db.withSteps(expertSteps);
                ti = ti.withSteps(expertSteps);
            }
            if (expertLearningRate != null) {
                db = db.withLearningRate(expertLearningRate);
                ti = ti.withLearningRate(expertLearningRate);
            }
            for (ExpertEvaluation.Method m : chosen) {
                LOG.info("{} on {} held-out subjects: {} demonstrations, {} prompts each; base {}", m, subjects,
                        demonstrations, prompts, baseDir);
                ExpertEvaluation.Options o = new ExpertEvaluation.Options(m, demonstrations, prompts, samplingSteps,
                        guidance, seed, db, ti);
                ExpertEvaluation.Report r = ExpertEvaluation.run(pipeline, heldOut, o, clipI);
                reports.add(r);
                LOG.info("{}", r.markdownRow());
            }
            Files.createDirectories(out);
            Files.writeString(out.resolve("experts.md"), markdown(reports, baseDir, db, ti), StandardCharsets.UTF_8);
            Files.writeString(out.resolve("experts.json"), json(reports, baseDir, db, ti), StandardCharsets.UTF_8);
        }
        LOG.info("expert baselines: {} and {}", out.resolve("experts.md"), out.resolve("experts.json"));
        return 0;
    }

    private static ExpertEvaluation.Method method(String name, CommandLine cl) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "dreambooth" -> ExpertEvaluation.Method.DREAMBOOTH;
            case "textual-inversion" -> ExpertEvaluation.Method.TEXTUAL_INVERSION;
            default -> throw new CommandLine.ParameterException(cl, "--method " + name
                    + " is not a method: dreambooth or textual-inversion");
        };
    }

    private String markdown(List<ExpertEvaluation.Report> reports, Path baseDir, DreamBooth.Options db,
            TextualInversion.Options ti) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Per-subject baselines on held-out subjects\n\n");
        sb.append(String.format(Locale.ROOT, "Base `%s`; %d held-out subjects, %d demonstrations and %d new-context"
                + " prompts each, %d sampling steps at guidance %s, seed %d. DreamBooth: %d steps at %s, %d class images"
                + " (identifier '%s'); Textual Inversion: %d steps at %s, batch %d. Subject fidelity passes at 0.65;"
                + " expert seconds count the whole fine-tuning (prior images included).%n%n",
                baseDir, subjects, demonstrations, prompts, samplingSteps, guidance, seed, db.steps(), db.learningRate(),
                db.classImages(), db.identifier(), ti.steps(), ti.learningRate(), ti.batchSize()));
        sb.append(ExpertEvaluation.Report.markdownHeader()).append('\n');
        reports.forEach(r -> sb.append(r.markdownRow()).append('\n'));
        sb.append("\n## Per subject\n\n");
        sb.append("| method | subject | subject fidelity | passes (0.65) | text fidelity | CLIP-I | expert s | generation s |\n");
        sb.append("|---|---|---|---|---|---|---|---|\n");
        for (ExpertEvaluation.Report r : reports) {
            for (ExpertEvaluation.SubjectResult s : r.subjects()) {
                sb.append(String.format(Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f |%n", r.method(),
                        s.subjectId(), s.subjectFidelity(), s.subjectPassRate(), s.textFidelity(), s.clipI(),
                        s.expertSeconds(), s.generationSeconds()));
            }
        }
        return sb.toString();
    }

    private String json(List<ExpertEvaluation.Report> reports, Path baseDir, DreamBooth.Options db,
            TextualInversion.Options ti) {
        JsonObject o = new JsonObject();
        o.addProperty("base", baseDir.toString());
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
            num(m, "subjectFidelity", r.mean(ExpertEvaluation.SubjectResult::subjectFidelity));
            num(m, "subjectPassRate", r.mean(ExpertEvaluation.SubjectResult::subjectPassRate));
            num(m, "textFidelity", r.mean(ExpertEvaluation.SubjectResult::textFidelity));
            num(m, "clipI", r.mean(ExpertEvaluation.SubjectResult::clipI));
            num(m, "expertSecondsPerSubject", r.mean(ExpertEvaluation.SubjectResult::expertSeconds));
            num(m, "generationSecondsPerSubject", r.mean(ExpertEvaluation.SubjectResult::generationSeconds));
            JsonArray rows = new JsonArray();
            for (ExpertEvaluation.SubjectResult s : r.subjects()) {
                JsonObject row = new JsonObject();
                row.addProperty("subject", s.subjectId());
                num(row, "subjectFidelity", s.subjectFidelity());
                num(row, "subjectPassRate", s.subjectPassRate());
                num(row, "textFidelity", s.textFidelity());
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
