package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Generates images from a prompt with the embedded model or any diffusers-format SD or SDXL directory. */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Generate images from a prompt; several images are written as one grid.")
final class GenerateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "A diffusers-format SD or SDXL pipeline directory (model_index.json); default: the embedded models/world-ldm.")
    Path model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "What to draw.")
    String prompt;

    @Option(names = {"-n", "--negative-prompt"}, defaultValue = "", description = "What to steer away from (default: none).")
    String negativePrompt;

    @Option(names = "--steps", defaultValue = "20", description = "Denoising steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"-g", "--guidance"}, defaultValue = "7.5", description = "Classifier-free guidance scale; <= 1 disables it (default: ${DEFAULT-VALUE}).")
    float guidance;

    @Option(names = "--scheduler", description = "ddpm, ddim, euler or dpm++2m (default: the model's).")
    String scheduler;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", description = "Noise seed; image i uses seed + i (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--width", description = "Image width, a multiple of the VAE's latent factor (default: the model's).")
    Integer width;

    @Option(names = "--height", description = "Image height, a multiple of the VAE's latent factor (default: the model's).")
    Integer height;

    @Option(names = "--num-images", defaultValue = "1", description = "Images to generate (default: ${DEFAULT-VALUE}).")
    int numImages;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = {"-o", "--out"}, defaultValue = "out.png", description = "PNG to write (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() {
        GenerationRequest request =
                new GenerationRequest(
                        List.of(prompt),
                        negativePrompt.isEmpty() ? List.of() : List.of(negativePrompt),
                        steps,
                        guidance,
                        seed,
                        width,
                        height,
                        numImages,
                        scheduler);
        Path dir = DefaultModel.resolve(model, spec.commandLine());
        long t0 = System.nanoTime();
        try (DiffusionPipeline pipe = DiffusionPipelines.load(dir, Device.fromName(device))) {
            LOG.info("loaded {} in {} s", dir, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            GenerationResult result;
            try (ProgressBar bar =
                    new ProgressBarBuilder()
                            .setTaskName("denoising")
                            .setInitialMax(steps)
                            .setStyle(ProgressBarStyle.ASCII)
                            .continuousUpdate()
                            .build()) {
                result = pipe.generate(request, (step, total) -> {
                    bar.maxHint(total);
                    bar.stepTo(step);
                });
            }
            BufferedImage img =
                    result.images().size() == 1
                            ? result.images().get(0)
                            : Images.grid(result.images(), null, (int) Math.ceil(Math.sqrt(result.images().size())));
            Images.writePng(img, out);
            LOG.info(
                    "wrote {} ({} image(s); text {} s, denoise {} s, decode {} s)",
                    out,
                    result.images().size(),
                    String.format("%.2f", result.textSeconds()),
                    String.format("%.2f", result.denoiseSeconds()),
                    String.format("%.2f", result.decodeSeconds()));
        }
        return 0;
    }
}
