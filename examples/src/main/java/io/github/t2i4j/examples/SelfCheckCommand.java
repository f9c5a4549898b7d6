package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.golden.GoldenCases;
import io.github.t2i4j.core.golden.GoldenCases.Comparison;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Checks this build against the golden reference outputs of diffusers and transformers, prints a
 * table, and generates a picture with a tiny SD pipeline assembled from the golden weights.
 */
@Command(
        name = "selfcheck",
        mixinStandardHelpOptions = true,
        description = "Compare every model and scheduler with the golden reference outputs; write a sample image.")
final class SelfCheckCommand implements Callable<Integer> {

    @Option(names = "--golden", defaultValue = "core/src/test/golden", paramLabel = "DIR", description = "Golden vectors folder (default: ${DEFAULT-VALUE}).")
    Path golden;

    @Option(names = "--tokenizer", defaultValue = "core/src/test/resources/tiny-clip-tokenizer", paramLabel = "DIR", description = "Tokenizer for the tiny pipeline (default: ${DEFAULT-VALUE}).")
    Path tokenizer;

    @Option(names = {"-o", "--out"}, defaultValue = "selfcheck.png", description = "Sample image from the tiny golden-weight SD pipeline (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (!Files.isDirectory(golden)) {
            System.err.println("golden folder not found: " + golden.toAbsolutePath() + " (run from the repository root or pass --golden)");
            return 2;
        }
        List<Comparison> rows = new ArrayList<>(GoldenCases.networks(golden));
        rows.addAll(GoldenCases.schedulers(golden));
        System.out.printf("%-22s %-26s %12s %10s  %s%n", "case", "output", "error", "tolerance", "result");
        int failed = 0;
        for (Comparison c : rows) {
            System.out.printf(
                    "%-22s %-26s %12.3e %10.0e  %s%n",
                    c.goldenCase(),
                    c.output() + (c.relative() ? " (rel)" : ""),
                    c.error(),
                    c.tolerance(),
                    c.passed() ? "ok" : "FAIL");
            failed += c.passed() ? 0 : 1;
        }
        System.out.printf("%d passed, %d failed%n", rows.size() - failed, failed);

        Path dir = Files.createTempDirectory("t2i4j-tiny-sd");
        TinyPipelines.stableDiffusion(golden, tokenizer, dir);
        try (DiffusionPipeline pipe = DiffusionPipelines.load(dir, Device.cpu())) {
            GenerationResult r = pipe.generate(
                    GenerationRequest.builder("a red circle to the left of a blue square")
                            .steps(10).seed(0).imagesPerPrompt(4).build());
            Images.writePng(Images.grid(r.images(), null, 4), out);
            System.out.printf(
                    "wrote %s: 4 images from the tiny SD pipeline (random golden weights: expect coloured noise) in %.2f s%n",
                    out, r.totalSeconds());
        }
        return failed == 0 ? 0 : 1;
    }
}
