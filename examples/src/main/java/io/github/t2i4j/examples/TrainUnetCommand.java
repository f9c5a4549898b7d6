package io.github.t2i4j.examples;

import io.github.t2i4j.core.world.ldm.LdmExport;
import io.github.t2i4j.core.world.ldm.UNetTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains the embedded model's UNet on the frozen VAE's latents, conditioned on the frozen world
 * CLIP's text encoder, and exports the whole diffusers pipeline directory.
 */
@Command(
        name = "unet",
        mixinStandardHelpOptions = true,
        description = "Train the world UNet on frozen VAE latents and world-CLIP text states, then export a diffusers pipeline directory.")
final class TrainUnetCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainUnetCommand.class);

    @Option(names = "--vae", defaultValue = "target/world-ldm/vae", paramLabel = "DIR", description = "Trained VAE folder (default: ${DEFAULT-VALUE}).")
    Path vae;

    @Option(names = "--clip", defaultValue = "models/world-clip", paramLabel = "DIR", description = "World CLIP folder (default: ${DEFAULT-VALUE}).")
    Path clip;

    @Option(names = "--unet-out", defaultValue = "target/world-ldm/unet", paramLabel = "DIR", description = "UNet folder (default: ${DEFAULT-VALUE}).")
    Path unetOut;

    @Option(names = "--out", defaultValue = "target/world-ldm/pipeline", paramLabel = "DIR", description = "Exported pipeline directory (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--latent-cache", description = "Training samples whose VAE latents are encoded once and reused (default: the job's, 65536; 0 encodes every batch).")
    Integer latentCache;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = "Start a fresh run from a trained UNet folder (e.g. models/world-ldm/unet) instead of random weights.")
    Path initFrom;

    @Mixin TrainingRunOptions run;

    @Override
    public Integer call() throws Exception {
        UNetTraining.Options o = run.applyTo(UNetTraining.Options.defaults());
        if (latentCache != null) {
            o = o.withLatentCache(latentCache);
        }
        UNetTraining.Result r = UNetTraining.train(o, vae, clip, unetOut, run.workOr("target/world-ldm/unet-work"), run.resume, initFrom);
        LOG.info("UNet: {} steps in {} s, final loss {}, held-out denoising loss {}", r.steps(), Math.round(r.seconds()),
                r.finalLoss(), r.validationLoss());
        if (run.stopAfter == null || r.steps() >= o.loop().steps()) {
            Path dir = LdmExport.export(vae, unetOut, clip, out);
            LOG.info("exported the pipeline to {} (generate --model {})", dir, dir);
        }
        return 0;
    }
}
