package io.github.t2i4j.core.evaluation;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.JsonLines;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.metrics.FrechetDistance;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.core.world.eval.CompositionEvaluator;
import io.github.t2i4j.core.world.eval.DetectedObject;
import io.github.t2i4j.core.world.eval.Evaluation;
import io.github.t2i4j.core.world.eval.EvaluationSummary;
import io.github.t2i4j.core.world.eval.RequirementResult;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The world's T2I-CompBench: runs a generator over the fixed held-out prompts of each category,
 * judges every image with the {@link CompositionEvaluator}, and, given the world CLIP, adds the
 * CLIP score and the FID against the held-out reference renders. Writes a report folder:
 * {@code metrics.json}, {@code report.md} (with a {@link FailureAnalysis}), {@code evaluations.jsonl}
 * (one verdict per image) and one PNG grid per category with ticks and crosses.
 */
public final class CompositionBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(CompositionBenchmark.class);

    private CompositionBenchmark() {}

    /**
     * @param perCategory held-out prompts per category (at most {@link HeldOutSet#SIZE})
     * @param seed noise seed of the generator; prompt {@code i} of a category uses {@code seed + i}
     * @param batchSize prompts per generator call
     * @param gridSize images shown per category grid
     */
    public record Options(int perCategory, long seed, int batchSize, int gridSize) {
        public static Options defaults() {
            return new Options(HeldOutSet.SIZE, 0, 16, 24);
        }
    }

    /**
     * The benchmark's outcome: the evaluator's summary plus the CLIP score and FID (null without
     * a CLIP) and the generator's time per image.
     */
    public record Report(
            String generator, EvaluationSummary summary, Double clipScore, Double fid, double secondsPerImage) {

        /** The {@code metrics.json} object. */
        public JsonObject toJson() {
            JsonObject o = summary.toJson();
            o.addProperty("generator", generator);
            o.addProperty("clip_score", clipScore);
            o.addProperty("fid", fid);
            o.addProperty("seconds_per_image", secondsPerImage);
            return o;
        }
    }

    /**
     * Runs the benchmark over {@code categories} and writes the report folder {@code out}.
     *
     * @param clip the world CLIP for CLIP score and FID, or null to skip both
     * @param progress told the number of images done so far
     */
    public static Report run(
            TextToImageGenerator generator,
            List<Category> categories,
            Options options,
            WorldClip clip,
            Path out,
            IntConsumer progress) {
        CompositionEvaluator evaluator = new CompositionEvaluator();
        EvaluationSummary.Builder summary = new EvaluationSummary.Builder();
        List<BufferedImage> allImages = new ArrayList<>();
        List<String> allCaptions = new ArrayList<>();
        List<BufferedImage> references = new ArrayList<>();
        Map<Category, String> grids = new LinkedHashMap<>();
        FailureAnalysis failures = new FailureAnalysis();
        List<JsonObject> perImage = new ArrayList<>();
        SceneRenderer referenceRenderer = new SceneRenderer();
        double generationSeconds = 0;
        try {
            Files.createDirectories(out);
            for (Category category : categories) {
                List<WorldExample> examples =
                        HeldOutSet.load(category).subList(0, Math.min(options.perCategory(), HeldOutSet.SIZE));
                List<BufferedImage> images = new ArrayList<>();
                List<Evaluation> evaluations = new ArrayList<>();
                for (int start = 0; start < examples.size(); start += options.batchSize()) {
                    List<WorldExample> batch = examples.subList(start, Math.min(examples.size(), start + options.batchSize()));
                    List<String> captions = batch.stream().map(WorldExample::caption).toList();
                    long t0 = System.nanoTime();
                    List<BufferedImage> generated = generator.generate(captions, options.seed() + start);
                    generationSeconds += (System.nanoTime() - t0) / 1e9;
                    for (int i = 0; i < batch.size(); i++) {
                        Evaluation e = evaluator.evaluate(generated.get(i), batch.get(i).prompt());
                        evaluations.add(e);
                        summary.add(e);
                        failures.add(batch.get(i).prompt(), e);
                        perImage.add(imageJson(e, start + i));
                        references.add(referenceRenderer.render(batch.get(i).scene()));
                    }
                    images.addAll(generated);
                    allCaptions.addAll(captions);
                    progress.accept(allCaptions.size());
                }
                allImages.addAll(images);
                String grid = "grid-" + category.name().toLowerCase(Locale.ROOT) + ".png";
                writeGrid(out.resolve(grid), examples, images, evaluations, options.gridSize());
                grids.put(category, grid);
                LOG.info("{}: {} images judged", category, evaluations.size());
            }
            Double clipScore = null;
            Double fid = null;
            if (clip != null) {
                clipScore = mean(clip.cosines(allImages, allCaptions));
                fid = allImages.size() >= 2
                        ? FrechetDistance.compute(clip.imageFeatures(allImages), clip.imageFeatures(references))
                        : null;
            }
            Report report = new Report(generator.name(), summary.build(), clipScore, fid,
                    generationSeconds / Math.max(1, allImages.size()));
            Files.writeString(out.resolve("metrics.json"),
                    new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(report.toJson()) + "\n");
            JsonLines.write(out.resolve("evaluations.jsonl"), perImage, o -> o);
            Files.writeString(out.resolve("report.md"), markdown(report, grids, failures));
            return report;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report to " + out, e);
        }
    }

    private static void writeGrid(
            Path file, List<WorldExample> examples, List<BufferedImage> images, List<Evaluation> evaluations, int n) {
        int k = Math.min(n, images.size());
        List<String> captions = new ArrayList<>();
        List<Boolean> marks = new ArrayList<>();
        List<BufferedImage> shown = new ArrayList<>();
        for (int i = 0; i < k; i++) {
            shown.add(Images.resize(images.get(i), 128, 128));
            captions.add(examples.get(i).caption());
            marks.add(evaluations.get(i).allCorrect());
        }
        Images.writePng(Images.grid(shown, captions, marks, 6), file);
    }

    /** One line of {@code evaluations.jsonl}: the verdict on one image, with what the annotator saw. */
    private static JsonObject imageJson(Evaluation e, int index) {
        JsonObject o = new JsonObject();
        o.addProperty("category", e.category().name().toLowerCase(Locale.ROOT));
        o.addProperty("caption", e.caption());
        o.addProperty("index", index);
        o.addProperty("score", e.score());
        o.addProperty("all_correct", e.allCorrect());
        JsonArray reqs = new JsonArray();
        for (RequirementResult r : e.requirements()) {
            JsonObject q = new JsonObject();
            q.addProperty("kind", r.kind());
            q.addProperty("requirement", r.description());
            q.addProperty("met", r.met());
            reqs.add(q);
        }
        o.add("requirements", reqs);
        JsonArray detected = new JsonArray();
        for (DetectedObject d : e.objects()) {
            JsonObject j = new JsonObject();
            j.addProperty("object", d.describe());
            j.addProperty("recognised", d.recognised());
            j.addProperty("hue", Math.round(d.hue() * 10) / 10.0);
            j.addProperty("shape_distance", d.shapeDistance());
            j.addProperty("texture_energy", d.textureEnergy());
            j.addProperty("texture_orientation", d.textureOrientation());
            detected.add(j);
        }
        o.add("detected", detected);
        return o;
    }

    private static String markdown(Report r, Map<Category, String> grids, FailureAnalysis failures) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Compositional evaluation: ").append(r.generator()).append("\n\n");
        sb.append("Held-out prompts of the bundled world (combinations never seen in training), judged from pixels by "
                + "the simulated annotator. Score: fraction of each prompt's requirements met (T2I-CompBench style); "
                + "all-correct: every requirement met.\n\n");
        sb.append("| category | score | all-correct | images |\n|---|---|---|---|\n");
        r.summary().categories().forEach((key, c) -> sb.append(String.format(Locale.ROOT, "| %s | %.3f | %.3f | %d |%n",
                key, c.score(), c.allCorrect(), c.count())));
        sb.append(String.format(Locale.ROOT, "| **overall** (six categories) | **%s** | | |%n%n",
                r.summary().overall() == null ? "n/a" : fmt(r.summary().overall())));
        sb.append(String.format(Locale.ROOT, "- CLIP score (mean cosine, world CLIP): %s%n",
                r.clipScore() == null ? "not computed (no CLIP given)" : fmt(r.clipScore())));
        sb.append(String.format(Locale.ROOT, "- FID against the held-out reference renders (world CLIP features): %s%n",
                r.fid() == null ? "not computed (no CLIP given)" : String.format(Locale.ROOT, "%.2f", r.fid())));
        sb.append(String.format(Locale.ROOT, "- images: %d, seconds per image: %.3f%n%n", r.summary().images(),
                r.secondsPerImage()));
        sb.append("Per-image verdicts: `evaluations.jsonl`.\n\n");
        sb.append(failures.markdown());
        for (Map.Entry<Category, String> g : grids.entrySet()) {
            sb.append("## ").append(g.getKey().name().toLowerCase(Locale.ROOT)).append("\n\n");
            sb.append("![").append(g.getKey().name().toLowerCase(Locale.ROOT)).append("](").append(g.getValue()).append(")\n\n");
        }
        return sb.toString();
    }

    private static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }
}
