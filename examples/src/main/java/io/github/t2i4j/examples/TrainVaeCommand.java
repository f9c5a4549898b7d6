package io.github.t2i4j.examples;

import io.github.t2i4j.core.world.ldm.VaeTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains the embedded model's VAE on world renders (64x64 RGB to 16x16x4 latents). */
@Command(
        name = "vae",
        mixinStandardHelpOptions = true,
        description = "Train the world VAE (AutoencoderKL, 64x64 -> 16x16x4); measures its latent scaling factor and held-out PSNR.")
final class TrainVaeCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainVaeCommand.class);

    @Option(names = "--out", defaultValue = "target/world-ldm/vae", paramLabel = "DIR", description = "VAE folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin TrainingRunOptions run;

    @Override
    public Integer call() throws Exception {
        VaeTraining.Options o = VaeTraining.Options.defaults().withSeed(run.seed);
        if (run.steps != null) {
            o = o.withSteps(run.steps);
        }
        if (run.stopAfter != null) {
            o = o.withStopAfter(run.stopAfter);
        }
        VaeTraining.Result r = VaeTraining.train(o, out, run.workOr("target/world-ldm/vae-work"), run.resume);
        LOG.info("VAE: {} steps in {} s, scaling factor {}, held-out PSNR {} dB -> {}", r.steps(),
                Math.round(r.seconds()), r.scalingFactor(), r.heldOutPsnr(), r.vaeDir());
        return 0;
    }
}
