package io.github.t2i4j.examples;

import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.WorldExample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The inference cost of two or more models measured in one run: each draws the same held-out
 * prompts with the same seeds, the models taking turns call by call, so that they share the
 * machine's load; seconds per image are the median over the calls, and each model's is reported as
 * a ratio to the first model's. IterComp's claim that the optimised model costs what the base costs
 * is checked this way ({@code --model world-ldm --model itercomp}).
 */
@Command(
        name = "cost",
        mixinStandardHelpOptions = true,
        description = {"Seconds per image of two or more models in one run, the models taking turns; writes JSON with each"
                + " model's ratio to the first."})
final class CostBenchmark implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(CostBenchmark.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "A model folder or shipped name (give it twice or more; the first is the reference).")
    List<String> models;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N",
            description = "Denoising steps of diffusion models (default: ${DEFAULT-VALUE}, the embedded model's).")
    int steps;

    @Option(names = {"-g", "--guidance"}, paramLabel = "SCALE", description = "Guidance scale (default: each model's).")
    Float guidance;

    @Option(names = "--num-images", defaultValue = "8",
            description = "Held-out prompts per call, one per category in turn (default: ${DEFAULT-VALUE}).")
    int numImages;

    @Option(names = "--repeats", defaultValue = "10",
            description = "Timed calls per model after one warm-up call each (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", defaultValue = "benchmark-cost.json", description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (models.size() < 2) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give --model at least twice: a cost is compared");
        }
        if (numImages < 1 || repeats < 1 || steps < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--num-images, --repeats and --steps must be positive");
        }
        List<Path> dirs = new ArrayList<>();
        for (String m : models) {
            dirs.add(DefaultModel.resolve(m, spec.commandLine()));
        }
        List<String> prompts = prompts(numImages);
        List<TextToImageGenerator> generators = new ArrayList<>();
        double[][] seconds = new double[dirs.size()][repeats];
        try {
            for (Path d : dirs) {
                generators.add(Generators.open(d, device, steps, guidance, null));
            }
            for (TextToImageGenerator g : generators) {
                g.generate(prompts, 0); // warm-up
            }
            for (int r = 0; r < repeats; r++) {
                for (int k = 0; k < generators.size(); k++) {
                    long t0 = System.nanoTime();
                    generators.get(k).generate(prompts, 1 + r);
                    seconds[k][r] = (System.nanoTime() - t0) / 1e9 / prompts.size();
                }
            }
        } finally {
            for (TextToImageGenerator g : generators) {
                g.close();
            }
        }
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("device", device);
        report.put("threads", Runtime.getRuntime().availableProcessors());
        report.put("images_per_call", prompts.size());
        report.put("repeats", repeats);
        report.put("steps", steps);
        report.put("guidance", guidance == null ? "each model's default" : guidance);
        List<Map<String, Object>> rows = new ArrayList<>();
        double reference = BenchmarkReports.median(seconds[0]);
        for (int k = 0; k < dirs.size(); k++) {
            double median = BenchmarkReports.median(seconds[k]);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("model", models.get(k));
            row.put("folder", dirs.get(k).toString());
            row.put("seconds_per_image_median", median);
            row.put("seconds_per_image_min", Arrays.stream(seconds[k]).min().orElseThrow());
            row.put("ratio_to_first", median / reference);
            rows.add(row);
            LOG.info(String.format(Locale.ROOT, "%s: %.4f s per image (median of %d calls of %d), %.3f x %s", models.get(k),
                    median, repeats, prompts.size(), median / reference, models.get(0)));
        }
        report.put("models", rows);
        BenchmarkReports.write(report, out, spec.commandLine());
        return 0;
    }

    /** {@code n} held-out prompts, one per category in turn. */
    static List<String> prompts(int n) {
        Category[] categories = Category.values();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            List<WorldExample> set = HeldOutSet.load(categories[i % categories.length]);
            out.add(set.get(i / categories.length % set.size()).caption());
        }
        return out;
    }
}
