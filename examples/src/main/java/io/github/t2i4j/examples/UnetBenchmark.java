package io.github.t2i4j.examples;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.nn.FlopCounter;
import io.github.t2i4j.core.tensor.Noise;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Times one forward of the full Stable Diffusion 1.5 UNet (random weights, fp32) at batch 1 and 2
 * and measures the matmul ceiling in the same run, so that achieved GFLOP/s is reported as a
 * fraction of what this machine can do.
 */
@Command(
        name = "unet",
        mixinStandardHelpOptions = true,
        description = "Time one SD-1.5 UNet forward (random weights) vs the matmul ceiling; writes JSON.")
final class UnetBenchmark implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(UnetBenchmark.class);

    @Spec CommandSpec spec;

    @Option(names = "--config", description = "UNet config.json (default: SD-1.5's).")
    Path config;

    @Option(names = "--batch", split = ",", defaultValue = "1,2", description = "Batch sizes (default: ${DEFAULT-VALUE}).")
    List<Integer> batches;

    @Option(names = "--latent", defaultValue = "64", description = "Latent height and width (default: ${DEFAULT-VALUE}).")
    int latent;

    @Option(names = "--tokens", defaultValue = "77", description = "Text tokens (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--repeats", defaultValue = "3", description = "Timed forwards per batch size (default: ${DEFAULT-VALUE}).")
    int repeats;

    @Option(names = "--matmul-size", defaultValue = "2048", description = "n of the n x n matmul ceiling (default: ${DEFAULT-VALUE}).")
    int matmulSize;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu or gpu (default: ${DEFAULT-VALUE}).")
    String device;

    @Option(names = "--out", defaultValue = "benchmark-unet.json", description = "JSON report (default: ${DEFAULT-VALUE}).")
    Path out;

    @Override
    public Integer call() throws IOException {
        UNet2DConditionConfig cfg =
                config == null ? UNet2DConditionConfig.stableDiffusion15() : UNet2DConditionConfig.fromJson(config);
        Device dev = Device.fromName(device);
        Map<String, Object> report = new LinkedHashMap<>();
        try (NDManager manager = NDManager.newBaseManager(dev)) {
            double ceiling = MatmulCeiling.gflops(manager, matmulSize, 5);
            LOG.info("matmul ceiling ({}^3, fp32): {} GFLOP/s", matmulSize, String.format("%.1f", ceiling));
            UNet2DConditionModel unet = new UNet2DConditionModel(cfg);
            unet.initialize(manager, DataType.FLOAT32);
            LOG.info("UNet: {} parameters", unet.parameterCount());
            report.put("model", config == null ? "stable-diffusion-v1-5 UNet (random weights)" : config.toString());
            report.put("parameters", unet.parameterCount());
            report.put("device", dev.toString());
            report.put("dtype", "float32");
            report.put("threads", Runtime.getRuntime().availableProcessors());
            report.put("latent", latent);
            report.put("tokens", tokens);
            report.put("matmul_size", matmulSize);
            report.put("matmul_gflops", ceiling);
            List<Map<String, Object>> runs = new ArrayList<>();
            long crossDim = cfg.crossAttentionDim().get(0);
            for (int b : batches) {
                runs.add(run(manager, unet, cfg, b, crossDim, ceiling));
            }
            report.put("runs", runs);
            report.put("matmul_gflops_after", MatmulCeiling.gflops(manager, matmulSize, 5));
        }
        BenchmarkReports.write(report, out, spec.commandLine());
        return 0;
    }

    private Map<String, Object> run(
            NDManager manager, UNet2DConditionModel unet, UNet2DConditionConfig cfg, int batch, long crossDim, double ceiling) {
        long channels = cfg.inChannels();
        double[] ms = new double[repeats];
        long flops;
        try (NDManager m = manager.newSubManager()) {
            NDArray sample = Noise.gaussian(m, 1, new Shape(batch, channels, latent, latent));
            NDArray text = Noise.gaussian(m, 2, new Shape(batch, tokens, crossDim));
            NDArray t = m.create(new float[batch]).add(500f);
            // warm-up, counting FLOPs as it goes
            try (FlopCounter counter = FlopCounter.start(); NDScope scope = new NDScope()) {
                unet.forward(sample, t, text, null).getFloat(0, 0, 0, 0);
                flops = counter.flops();
                scope.suppressNotUsedWarning();
            }
            for (int i = 0; i < repeats; i++) {
                try (NDScope scope = new NDScope()) {
                    long t0 = System.nanoTime();
                    unet.forward(sample, t, text, null).getFloat(0, 0, 0, 0);
                    ms[i] = (System.nanoTime() - t0) / 1e6;
                    scope.suppressNotUsedWarning();
                }
                LOG.info("batch {}: forward {} ms", batch, String.format("%.0f", ms[i]));
            }
        }
        double[] sorted = ms.clone();
        Arrays.sort(sorted);
        double median = sorted[sorted.length / 2];
        double gflops = flops / (median / 1e3) / 1e9;
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("batch", batch);
        r.put("ms", ms);
        r.put("ms_median", median);
        r.put("ms_min", sorted[0]);
        r.put("gflop", flops / 1e9);
        r.put("gflops_achieved", gflops);
        r.put("ratio_to_matmul_ceiling", gflops / ceiling);
        LOG.info(
                "batch {}: {} ms median, {} GFLOP, {} GFLOP/s = {} of the matmul ceiling",
                batch,
                String.format("%.0f", median),
                String.format("%.1f", flops / 1e9),
                String.format("%.1f", gflops),
                String.format("%.2f", gflops / ceiling));
        return r;
    }
}
