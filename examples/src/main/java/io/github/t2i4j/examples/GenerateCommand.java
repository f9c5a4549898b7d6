package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.star.StarPipeline;
import io.github.t2i4j.star.sample.SamplingOptions;
import io.github.t2i4j.suti.model.InterleavedGuidance;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.model.SuTIRequest;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Generates images from a prompt with the embedded model, any diffusers-format SD or SDXL directory,
 * a STAR folder, or a SuTI folder (with demonstrations of a subject).
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = {"Generate images from a prompt; several images are written as one grid.",
            "With a SuTI model (--model suti), --demo images of a subject (3 to 5) and their --demo-caption texts"
                    + " show the subject, and the prompt asks for it in a new context; nothing is fine-tuned."})
final class GenerateCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR|NAME",
            description = "A diffusers-format SD or SDXL pipeline directory (model_index.json), a STAR model folder, or a shipped model's name (world-ldm, star, ...); default: the embedded models/world-ldm.")
    String model;

    @Option(names = {"-p", "--prompt"}, required = true, description = "What to draw.")
    String prompt;

    @Option(names = {"-n", "--negative-prompt"}, defaultValue = "", description = "What to steer away from (default: none).")
    String negativePrompt;

    @Option(names = "--steps", description = "Denoising steps of a diffusion model (default: 20).")
    Integer steps;

    @Option(names = {"-g", "--guidance"},
            description = "Classifier-free guidance scale; <= 1 disables it for diffusion, 0 for STAR (default: 7.5 for diffusion, the folder's for STAR).")
    Float guidance;

    @Option(names = "--top-k", description = "STAR: sample among the k likeliest tokens; 0 for all (default: the folder's).")
    Integer topK;

    @Option(names = "--top-p", description = "STAR: sample within this probability mass; 1 for all (default: the folder's).")
    Double topP;

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

    @Option(names = "--demo", paramLabel = "PNG",
            description = "SuTI: a demonstration image of the subject; give 3 to 5 (repeat the option).")
    List<Path> demos = new ArrayList<>();

    @Option(names = "--demo-caption", paramLabel = "TEXT",
            description = "SuTI: the caption of each --demo in order, e.g. \"a small circle on the left on a grey"
                    + " background\" (default: empty captions).")
    List<String> demoCaptions = new ArrayList<>();

    @Override
    public Integer call() {
        Path dir = DefaultModel.resolve(model, spec.commandLine());
        if (SuTIPipeline.isSuTIFolder(dir)) {
            return generateSuTI(dir);
        }
        if (!demos.isEmpty() || !demoCaptions.isEmpty()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--demo and --demo-caption are for SuTI models"
                    + " (e.g. --model suti); " + dir + " is not one");
        }
        if (Generators.isStar(dir)) {
            return generateStar(dir);
        }
        if (topK != null || topP != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top-k and --top-p are for STAR models; "
                    + dir + " is a diffusion pipeline");
        }
        int steps = this.steps == null ? 20 : this.steps;
        float guidance = this.guidance == null ? 7.5f : this.guidance;
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
            write(result.images());
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

    /**
     * Scale-wise autoregressive sampling with a STAR folder: one forward per scale, its CFG ramp,
     * top-k and top-p; denoising options do not apply and are refused.
     */
    private Integer generateStar(Path dir) {
        if (steps != null || scheduler != null || !negativePrompt.isEmpty() || width != null || height != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--steps, --scheduler, --negative-prompt, "
                    + "--width and --height are for diffusion pipelines; " + dir + " is a STAR model (its image size is "
                    + "fixed by its scale schedule)");
        }
        long t0 = System.nanoTime();
        try (StarPipeline star = StarPipeline.load(dir, Device.fromName(device))) {
            LOG.info("loaded {} in {} s", dir, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            SamplingOptions o = star.samplingDefaults().withSeed(seed);
            if (guidance != null) {
                o = o.withCfg(guidance);
            }
            if (topK != null || topP != null) {
                o = new SamplingOptions(o.cfg(), topK != null ? topK : o.topK(), topP != null ? topP : o.topP(),
                        o.temperature(), o.seed());
            }
            long t1 = System.nanoTime();
            List<BufferedImage> images = star.generate(Collections.nCopies(numImages, prompt), o);
            write(images);
            LOG.info("wrote {} ({} image(s) in {} s; cfg {}, top-k {}, top-p {})", out, images.size(),
                    String.format("%.2f", (System.nanoTime() - t1) / 1e9), o.cfg(), o.topK(), o.topP());
        }
        return 0;
    }

    /**
     * Subject-driven generation with a SuTI folder: the demonstrations (and their captions) show the
     * subject, the prompt asks for a new context; no fine-tuning. {@code --guidance} sets the text
     * guidance scale of the interleaved guidance (the demonstration scale is the folder's).
     */
    private Integer generateSuTI(Path dir) {
        CommandLine cl = spec.commandLine();
        if (demos.size() < 1 || demos.size() > 5) {
            throw new CommandLine.ParameterException(cl, "SuTI needs 1 to 5 --demo images of the subject (trained with 3"
                    + " to 5), got " + demos.size());
        }
        if (!demoCaptions.isEmpty() && demoCaptions.size() != demos.size()) {
            throw new CommandLine.ParameterException(cl, "give one --demo-caption per --demo (" + demos.size()
                    + " images) or none, got " + demoCaptions.size());
        }
        if (topK != null || topP != null || scheduler != null || !negativePrompt.isEmpty() || width != null
                || height != null) {
            throw new CommandLine.ParameterException(cl, "--top-k, --top-p, --scheduler, --negative-prompt, --width and"
                    + " --height do not apply to SuTI models (" + dir + ")");
        }
        List<BufferedImage> images = new ArrayList<>();
        for (Path d : demos) {
            if (!Files.isRegularFile(d)) {
                throw new CommandLine.ParameterException(cl, "--demo " + d + " is not a file");
            }
            images.add(Images.read(d));
        }
        List<String> captions = demoCaptions.isEmpty() ? Collections.nCopies(demos.size(), "") : demoCaptions;
        if (demoCaptions.isEmpty()) {
            LOG.warn("no --demo-caption given: the demonstrations are encoded with empty captions (SuTI was trained with"
                    + " captions that state each demonstration's size, position and background)");
        }
        long t0 = System.nanoTime();
        try (SuTIPipeline suti =
                SuTIPipeline.load(dir, Device.fromName(device))) {
            LOG.info("loaded {} in {} s", dir, String.format("%.1f", (System.nanoTime() - t0) / 1e9));
            InterleavedGuidance g = suti.guidanceDefaults();
            if (guidance != null) {
                g = new InterleavedGuidance(guidance, g.demoScale(), g.textRatio());
            }
            SuTIRequest request = new SuTIRequest(images, captions,
                    List.of(prompt), numImages, steps == null ? SuTIRequest.DEFAULT_STEPS : steps, g,
                    seed);
            GenerationResult result = suti.generate(request);
            write(result.images());
            LOG.info("wrote {} ({} image(s) from {} demonstrations; denoise {} s, decode {} s)", out,
                    result.images().size(), images.size(), String.format("%.2f", result.denoiseSeconds()),
                    String.format("%.2f", result.decodeSeconds()));
        }
        return 0;
    }

    /** One image as it is, several as a grid. */
    private void write(List<BufferedImage> images) {
        BufferedImage img = images.size() == 1
                ? images.get(0)
                : Images.grid(images, null, (int) Math.ceil(Math.sqrt(images.size())));
        Images.writePng(img, out);
    }
}
