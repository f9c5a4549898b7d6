package io.github.t2i4j.examples;

import io.github.t2i4j.core.world.ldm.VaeTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
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

    @Option(names = "--work", defaultValue = "target/world-ldm/vae-work", paramLabel = "DIR", description = "Checkpoints for --resume (default: ${DEFAULT-VALUE}).")
    Path work;

    @Option(names = "--steps", description = "Optimizer steps (default: the job's, 4000).")
    Long steps;

    @Option(names = "--stop-after", description = "End after this step (to train in slices with --resume).")
    Long stopAfter;

    @Option(names = "--seed", defaultValue = "0", description = "Seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --work.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        VaeTraining.Options o = VaeTraining.Options.defaults().withSeed(seed);
        if (steps != null) {
            o = o.withSteps(steps);
        }
        if (stopAfter != null) {
            o = o.withStopAfter(stopAfter);
        }
        VaeTraining.Result r = VaeTraining.train(o, out, work, resume);
        LOG.info("VAE: {} steps in {} s, scaling factor {}, held-out PSNR {} dB -> {}", r.steps(),
                Math.round(r.seconds()), r.scalingFactor(), r.heldOutPsnr(), r.vaeDir());
        return 0;
    }
}
