package io.github.t2i4j.core.models.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Times the SD-1.5 UNet (random weights) at 64x64 latents. Not a test: runs only with
 * {@code -Dt2i4j.bench=true} ({@code -Dt2i4j.bench.batch=2}, {@code -Dt2i4j.bench.runs=3}).
 */
@EnabledIfSystemProperty(named = "t2i4j.bench", matches = "true")
class UNetBenchmark {
    private static final Logger LOG = LoggerFactory.getLogger(UNetBenchmark.class);

    /** Resident memory, to see that a forward pass leaves nothing behind. */
    private static String rss() {
        try {
            return java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("VmRSS") || l.startsWith("VmHWM"))
                    .map(l -> l.replaceAll("\\s+", " "))
                    .reduce((a, b) -> a + ", " + b)
                    .orElse("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void sd15At64() {
        int batch = Integer.getInteger("t2i4j.bench.batch", 1);
        int runs = Integer.getInteger("t2i4j.bench.runs", 2);
        int size = Integer.getInteger("t2i4j.bench.size", 64);
        UNet2DConditionModel model = UNet2DConditionModel.fromConfig(UNet2DConditionConfig.stableDiffusion15());
        com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        try (NDManager m = NDManager.newBaseManager()) {
            long t0 = System.nanoTime();
            model.initialize(m, DataType.FLOAT32);
            LOG.info("init {} s", (System.nanoTime() - t0) / 1e9);
            NDArray sample = m.randomNormal(new Shape(batch, 4, size, size));
            NDArray ctx = m.randomNormal(new Shape(batch, 77, 768));
            NDArray t = m.create(500f);
            for (int i = 0; i <= runs; i++) {
                try (NDManager step = m.newSubManager()) {
                    long c = os.getProcessCpuTime();
                    long s = System.nanoTime();
                    NDArray out = model.forward(sample, t, ctx, null);
                    out.attach(step);
                    float check = out.abs().mean().getFloat();
                    LOG.info("{} forward batch {} at {}x{}: {} s wall, {} s cpu (mean |out| {}), {}",
                            i == 0 ? "warm-up" : "timed", batch, size, size, (System.nanoTime() - s) / 1e9,
                            (os.getProcessCpuTime() - c) / 1e9, check, rss());
                }
            }
        }
    }
}
