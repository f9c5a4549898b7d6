package io.github.t2i4j.core.world.ldm;

import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import io.github.t2i4j.core.training.MetricsLog;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.world.clip.WorldClipTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not a test: a short run of both jobs at their default configurations that measures seconds per
 * step on this machine, for planning the full runs. Run it explicitly:
 *
 * <pre>
 * mvn -o -q -pl core test -Dtest=LdmSmokeRun -Dt2i4j.ldm.smoke=true [-Dt2i4j.ldm.smoke.clip=models/world-clip]
 *     [-Dt2i4j.ldm.smoke.vaeSteps=12] [-Dt2i4j.ldm.smoke.unetSteps=10] [-Dt2i4j.ldm.smoke.cache=1024] [-Dt2i4j.ldm.smoke.only=vae|unet]
 * </pre>
 *
 * Without a world CLIP folder a randomly initialised one of the default size is used (the same
 * cost). Outputs go to {@code core/target/ldm-smoke}.
 */
@EnabledIfSystemProperty(named = "t2i4j.ldm.smoke", matches = "true")
class LdmSmokeRun {
    private static final Logger LOG = LoggerFactory.getLogger(LdmSmokeRun.class);

    @Test
    void measureSecondsPerStep() throws Exception {
        Path root = Path.of("target/ldm-smoke");
        String only = System.getProperty("t2i4j.ldm.smoke.only", "");
        int vaeSteps = Integer.getInteger("t2i4j.ldm.smoke.vaeSteps", 40);
        int unetSteps = Integer.getInteger("t2i4j.ldm.smoke.unetSteps", 40);
        String clipProp = System.getProperty("t2i4j.ldm.smoke.clip");
        Path clip = clipProp != null ? Path.of(clipProp) : root.resolve("random-world-clip");
        if (clipProp == null && !Files.isRegularFile(clip.resolve("model.safetensors"))) {
            WorldTokenizerBuilder vocab = WorldClipTraining.tokenizer();
            vocab.write(clip);
            try (NDManager m = NDManager.newBaseManager()) {
                CLIPModel model = new CLIPModel(WorldClipTraining.config(WorldClipTraining.Options.defaults(), vocab));
                model.initialize(m, DataType.FLOAT32);
                model.save(clip, Dtype.F16);
            }
        }
        Path vaeDir = root.resolve("vae");
        if (!only.equals("unet")) {
            VaeTraining.Options o = VaeTraining.Options.defaults().withStopAfter(vaeSteps).withEvaluation(256, 8)
                    .withProgressBar(false);
            long t0 = System.nanoTime();
            VaeTraining.Result r = VaeTraining.train(o, vaeDir, root.resolve("vae-work"), false);
            LOG.info(String.format(Locale.ROOT, "SMOKE VAE: batch %d, %s s/step (%d params); whole call %.1f s; %s",
                    o.batchSize(), perStep(vaeDir), r.parameters(), (System.nanoTime() - t0) / 1e9, r));
        }
        if (!only.equals("vae")) {
            // a small cache: the step does not depend on its size, building the default one takes ~18 min
            UNetTraining.Options o = UNetTraining.Options.defaults().withStopAfter(unetSteps).withEvaluation(2, 0)
                    .withLatentCache(Integer.getInteger("t2i4j.ldm.smoke.cache", 1024)).withProgressBar(false);
            long t0 = System.nanoTime();
            UNetTraining.Result r = UNetTraining.train(o, vaeDir, clip, root.resolve("unet"), root.resolve("unet-work"), false);
            LOG.info(String.format(Locale.ROOT, "SMOKE UNet: batch %d, %s s/step (%d params); whole call %.1f s; %s",
                    o.batchSize(), perStep(root.resolve("unet")), r.parameters(), (System.nanoTime() - t0) / 1e9, r));
        }
        assertTrue(true);
    }

    /** Mean and median seconds per step after the first (which includes warm-up). */
    private static String perStep(Path dir) {
        List<StepMetrics> m = MetricsLog.read(dir.resolve("metrics.jsonl"));
        if (m.size() < 2) {
            return "n/a";
        }
        double[] d = new double[m.size() - 1];
        for (int i = 1; i < m.size(); i++) {
            d[i - 1] = m.get(i).seconds() - m.get(i - 1).seconds();
        }
        java.util.Arrays.sort(d);
        double mean = (m.get(m.size() - 1).seconds() - m.get(0).seconds()) / (m.size() - 1);
        return String.format(Locale.ROOT, "mean %.2f, median %.2f (first step %.2f)", mean, d[d.length / 2],
                m.get(0).seconds());
    }
}
