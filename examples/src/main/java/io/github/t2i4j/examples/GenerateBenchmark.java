package io.github.t2i4j.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.image.Images;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.nn.FlopCounter;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.tensor.Noise;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
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
 * Seconds per image of a whole pipeline (the embedded model by default) at its default steps, and
 * where they go: text encoder, UNet (timed alone on the same inputs, with its FLOPs), the rest of
 * the denoising loop (guidance and scheduler arithmetic, Java-side), VAE decoder, conversion to
 * images. The UNet's GFLOP/s is set against the matmul ceiling measured in the same run, both for
 * a large square matmul and for a matmul the shape of the UNet's own largest GEMM.
 */
@Command(
        name = "generate",
        mixinStandardHelpOptions = true,
        description = "Time text-to-image generation end to end and per component; writes JSON.")
final class GenerateBenchmark implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(GenerateBenchmark.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--model", paramLabel = "DIR", description = "Pipeline directory (default: the embedded models/world-ldm).")
    Path model;

    @Option(names = {"-p", "--prompt"}, defaultValue = "a red circle to the left of a blue square",
            description = "Prompt (default: ${DEFAULT-VALUE}).")
    String prompt;

    @Option(names = "--steps", defaultValue = "20", description = "Denoising steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = {"-g", "--guidance"}, defaultValue = "7.5", description = "Guidance scale (default: ${DEFAULT-VALUE}).")
    float guidance;

    @Option(names = "--num-images", defaultValue = "1", description = "Images per call (default: ${DEFAULT-VALUE}).")
    int numImages;

    @Option(names = "--repeats", defaultValue = "5", description = "Timed runs after one warm-up (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", defaultValue = "benchmark-generate.json", description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        Path dir = DefaultModel.resolve(model, spec.commandLine());
        Device dev = Device.fromName(device);
        Map<String, Object> report = new LinkedHashMap<>();
        long l0 = System.nanoTime();
        try (DiffusionPipeline pipe = DiffusionPipelines.load(dir, dev);
                NDManager manager = NDManager.newBaseManager(dev)) {
            double loadSeconds = (System.nanoTime() - l0) / 1e9;
            GenerationRequest request = GenerationRequest.builder(prompt)
                    .steps(steps).guidanceScale(guidance).imagesPerPrompt(numImages).seed(0).build();
            int batch = numImages * (request.guided() ? 2 : 1);
            report.put("model", dir.toString());
            report.put("device", dev.toString());
            report.put("threads", Runtime.getRuntime().availableProcessors());
            report.put("prompt", prompt);
            report.put("steps", steps);
            report.put("guidance", guidance);
            report.put("images_per_call", numImages);
            report.put("unet_batch", batch);
            report.put("unet_parameters", pipe.unet().parameterCount());
            report.put("vae_parameters", pipe.vae().parameterCount());
            report.put("load_seconds", loadSeconds);

            pipe.generate(request); // warm-up
            List<GenerationResult> runs = new ArrayList<>();
            double[] wall = new double[repeats];
            for (int i = 0; i < repeats; i++) {
                long t0 = System.nanoTime();
                runs.add(pipe.generate(request));
                wall[i] = (System.nanoTime() - t0) / 1e9;
            }
            double total = BenchmarkReports.median(wall);
            double text = BenchmarkReports.median(runs.stream().mapToDouble(GenerationResult::textSeconds).toArray());
            double denoise = BenchmarkReports.median(runs.stream().mapToDouble(GenerationResult::denoiseSeconds).toArray());
            double decode = BenchmarkReports.median(runs.stream().mapToDouble(GenerationResult::decodeSeconds).toArray());

            int size = pipe.defaultSize();
            UNetTiming unet = timeUnet(pipe, manager, batch, size);
            double[] vae = timeVae(pipe.vae(), manager, numImages, size);
            double unetLoop = unet.seconds() * steps;
            int f = pipe.vae().latentFactor();
            long m = (long) batch * (size / f) * (size / f);
            long k = 9L * pipe.unet().config().blockOutChannels().get(0);
            long n = pipe.unet().config().blockOutChannels().get(0);
            double ceilingLarge = MatmulCeiling.gflops(manager, 2048, 5);
            double ceilingHere = MatmulCeiling.gflops(manager, (int) m, (int) k, (int) n, 50);
            double unetGflops = unet.flops() / unet.seconds() / 1e9;

            Map<String, Object> breakdown = new LinkedHashMap<>();
            breakdown.put("text_encoder", text);
            breakdown.put("unet", unetLoop);
            breakdown.put("denoise_loop_other", Math.max(0, denoise - unetLoop));
            breakdown.put("vae_decoder", vae[0]);
            breakdown.put("to_images", Math.max(0, decode - vae[0]));
            breakdown.put("outside_phases", Math.max(0, total - text - denoise - decode));
            report.put("seconds_per_call", total);
            report.put("seconds_per_image", total / numImages);
            report.put("seconds_per_call_runs", wall);
            report.put("breakdown_seconds", breakdown);
            report.put("phases_seconds", Map.of("text", text, "denoise", denoise, "decode", decode));
            report.put("unet_forward_seconds", unet.seconds());
            report.put("unet_gflop_per_forward", unet.flops() / 1e9);
            report.put("unet_gflops_achieved", unetGflops);
            report.put("vae_decoder_gflop", vae[1] / 1e9);
            report.put("vae_decoder_gflops_achieved", vae[1] / vae[0] / 1e9);
            report.put("matmul_ceiling_2048_gflops", ceilingLarge);
            report.put("matmul_ceiling_at_unet_size", Map.of("m", m, "k", k, "n", n, "gflops", ceilingHere));
            report.put("unet_ratio_to_ceiling_2048", unetGflops / ceilingLarge);
            report.put("unet_ratio_to_ceiling_at_unet_size", unetGflops / ceilingHere);
            LOG.info(String.format(Locale.ROOT,
                    "%.3f s per call of %d image(s) at %d steps: text %.3f, UNet %.3f (%.1f GFLOP/s = %.2f of the %dx%dx%d"
                            + " matmul ceiling %.1f, %.2f of the 2048^3 one %.1f), loop other %.3f, VAE %.3f, to images %.3f",
                    total, numImages, steps, text, unetLoop, unetGflops, unetGflops / ceilingHere, m, k, n, ceilingHere,
                    unetGflops / ceilingLarge, ceilingLarge, Math.max(0, denoise - unetLoop), vae[0],
                    Math.max(0, decode - vae[0])));
        }
        BenchmarkReports.write(report, out, spec.commandLine());
        return 0;
    }

    private record UNetTiming(double seconds, long flops) {}

    /** Median seconds and FLOPs of one UNet forward on the loop's shapes (the real text context). */
    private UNetTiming timeUnet(DiffusionPipeline pipe, NDManager manager, int batch, int size) {
        UNet2DConditionModel unet = pipe.unet();
        int f = pipe.vae().latentFactor();
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = Noise.gaussian(m, 1, new Shape(batch, unet.config().inChannels(), size / f, size / f));
            NDArray t = m.full(new Shape(batch), 500f);
            NDArray context;
            if (pipe instanceof StableDiffusionPipeline sd) {
                context = sd.encode(m, Collections.nCopies(batch, prompt));
            } else {
                throw new CommandLine.ParameterException(spec.commandLine(), "benchmark generate times SD-layout pipelines only");
            }
            long flops;
            try (FlopCounter counter = FlopCounter.start(); NDScope scope = new NDScope()) {
                unet.forward(sample, t, context, null).getFloat(0, 0, 0, 0);
                flops = counter.flops();
                scope.suppressNotUsedWarning();
            }
            int reps = Math.max(steps, 10);
            double[] s = new double[reps];
            for (int i = 0; i < reps; i++) {
                try (NDScope scope = new NDScope()) {
                    long t0 = System.nanoTime();
                    unet.forward(sample, t, context, null).getFloat(0, 0, 0, 0);
                    s[i] = (System.nanoTime() - t0) / 1e9;
                    scope.suppressNotUsedWarning();
                }
            }
            return new UNetTiming(BenchmarkReports.median(s), flops);
        }
    }

    /** Median seconds and FLOPs of the VAE decoder on {@code images} latents. */
    private double[] timeVae(AutoencoderKL vae, NDManager manager, int images, int size) {
        int f = vae.latentFactor();
        try (NDManager m = manager.newSubManager()) {
            NDArray z = Noise.gaussian(m, 3, new Shape(images, vae.config().latentChannels(), size / f, size / f));
            long flops;
            try (FlopCounter counter = FlopCounter.start(); NDScope scope = new NDScope()) {
                Images.toImages(vae.decode(z));
                flops = counter.flops();
                scope.suppressNotUsedWarning();
            }
            double[] s = new double[Math.max(repeats, 5)];
            for (int i = 0; i < s.length; i++) {
                try (NDScope scope = new NDScope()) {
                    long t0 = System.nanoTime();
                    vae.decode(z).getFloat(0, 0, 0, 0);
                    s[i] = (System.nanoTime() - t0) / 1e9;
                    scope.suppressNotUsedWarning();
                }
            }
            return new double[] {BenchmarkReports.median(s), flops};
        }
    }
}
