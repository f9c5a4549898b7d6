package io.github.t2i4j.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.nn.FlopCounter;
import io.github.t2i4j.star.StarPipeline;
import io.github.t2i4j.star.sample.SamplingOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * STAR against the diffusion model, measured in one run on the same prompt: seconds per image of
 * STAR at its folder's sampling settings with the KV cache, the same without it (every scale
 * recomputes all scales so far), and the diffusion pipeline at its defaults (20 steps, guidance
 * 7.5); STAR's GFLOP/s against the 2048^3 matmul ceiling of the same run.
 */
@Command(
        name = "star",
        mixinStandardHelpOptions = true,
        description = "Time STAR (with and without its KV cache) against the diffusion model in one run; writes JSON.")
final class StarBenchmark implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(StarBenchmark.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", defaultValue = "star", paramLabel = "DIR|NAME",
            description = "STAR model folder or shipped name (default: ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--diffusion", defaultValue = "world-ldm", paramLabel = "DIR|NAME",
            description = "Diffusion pipeline to compare with (default: ${DEFAULT-VALUE}).")
    String diffusion;

    @Option(names = {"-p", "--prompt"}, defaultValue = "a red circle to the left of a blue square",
            description = "Prompt (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = "--steps", defaultValue = "20", description = "Diffusion steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--num-images", defaultValue = "1", description = "Images per call (default: ${DEFAULT-VALUE}).")
    int numImages;

    @Option(names = "--repeats", defaultValue = "21",
            description = "Timed calls after three warm-up calls; the median counts (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", defaultValue = "benchmark-star.json", description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        if (numImages < 1 || repeats < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--num-images and --repeats must be positive");
        }
        Path starDir = DefaultModel.resolve(model, spec.commandLine());
        Path ldmDir = DefaultModel.resolve(diffusion, spec.commandLine());
        if (!Generators.isStar(starDir)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--model " + starDir + " is not a STAR model folder");
        }
        List<String> prompts = Collections.nCopies(numImages, prompt);
        Map<String, Object> report = new LinkedHashMap<>();
        report.put("star_model", starDir.toString());
        report.put("diffusion_model", ldmDir.toString());
        report.put("device", device);
        report.put("threads", Runtime.getRuntime().availableProcessors());
        report.put("prompt", prompt);
        report.put("images_per_call", numImages);
        report.put("repeats", repeats);
        double cached;
        double uncached;
        double flops;
        try (StarPipeline star = StarPipeline.load(starDir, Device.fromName(device))) {
            SamplingOptions o = star.samplingDefaults().withSeed(0);
            report.put("star_sampling", StarPipeline.samplingJson(o));
            report.put("star_transformer_parameters", star.sampler().model().parameterCount());
            report.put("star_tokenizer_parameters", star.sampler().tokenizer().parameterCount());
            cached = secondsPerCall(() -> star.generate(prompts, o, true));
            uncached = secondsPerCall(() -> star.generate(prompts, o, false));
            try (FlopCounter counter = FlopCounter.start()) {
                star.generate(prompts, o, true);
                flops = counter.flops();
            }
        }
        double ldm;
        try (TextToImageGenerator gen = Generators.open(ldmDir, device, steps, 7.5f, null)) {
            ldm = secondsPerCall(() -> gen.generate(prompts, 0));
        }
        double ceiling;
        try (NDManager m = NDManager.newBaseManager(Device.fromName(device))) {
            ceiling = MatmulCeiling.gflops(m, 2048, 5);
        }
        double starGflops = flops / cached / 1e9;
        report.put("star_seconds_per_image", cached / numImages);
        report.put("star_without_kv_cache_seconds_per_image", uncached / numImages);
        report.put("kv_cache_speedup", uncached / cached);
        report.put("diffusion_steps", steps);
        report.put("diffusion_guidance", 7.5);
        report.put("diffusion_seconds_per_image", ldm / numImages);
        report.put("star_speedup_over_diffusion", ldm / cached);
        report.put("star_gflop_per_call", flops / 1e9);
        report.put("star_gflops_achieved", starGflops);
        report.put("matmul_ceiling_2048_gflops", ceiling);
        report.put("star_ratio_to_ceiling_2048", starGflops / ceiling);
        LOG.info(String.format(Locale.ROOT,
                "per image: STAR %.3f s (without KV cache %.3f s, cache x%.2f), diffusion %.3f s at %d steps: STAR x%.2f"
                        + " faster; STAR %.1f GFLOP/s = %.2f of the 2048^3 matmul ceiling %.1f",
                cached / numImages, uncached / numImages, uncached / cached, ldm / numImages, steps, ldm / cached,
                starGflops, starGflops / ceiling, ceiling));
        BenchmarkReports.write(report, out, spec.commandLine());
        return 0;
    }

    /** Median seconds of one call after three warm-up calls (fewer left the timings drifting down). */
    private double secondsPerCall(Supplier<?> call) {
        for (int i = 0; i < 3; i++) {
            call.get();
        }
        double[] s = new double[repeats];
        for (int i = 0; i < repeats; i++) {
            long t0 = System.nanoTime();
            call.get();
            s[i] = (System.nanoTime() - t0) / 1e9;
        }
        return BenchmarkReports.median(s);
    }
}
