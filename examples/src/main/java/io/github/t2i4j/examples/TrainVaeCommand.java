package io.github.t2i4j.examples;

import io.github.t2i4j.core.world.ldm.VaeTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
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

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--init-from", paramLabel = "DIR",
            description = "Start from a trained VAE folder (e.g. models/world-ldm/vae) instead of random weights.")
    Path initFrom;

    @Option(names = "--decoder-only",
            description = "With --init-from: freeze the encoder and train only the decoder, so the latents (and any UNet trained on them) stay valid.")
    boolean decoderOnly;

    @Mixin ReconstructionLossOptions losses;

    @Option(names = "--latent-channels", paramLabel = "C",
            description = "Latent channels (default: the job's, 4; more keep finer detail such as the world's dots, and the UNet takes them as in_channels).")
    Integer latentChannels;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: the job's, 5e-4).")
    Double learningRate;

    @Mixin TrainingRunOptions run;

    @Override
    public Integer call() throws Exception {
        VaeTraining.Options o = run.applyTo(VaeTraining.Options.defaults());
        o = o.withGradientWeight(losses.gradientOr(o.gradientWeight())).withTextureWeight(losses.textureOr(o.textureWeight()));
        if (latentChannels != null) {
            o = o.withLatentChannels(latentChannels);
        }
        if (learningRate != null) {
            o = o.withLearningRate(learningRate);
        }
        if (decoderOnly && initFrom == null) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--decoder-only needs --init-from DIR (the VAE whose encoder is kept)");
        }
        VaeTraining.Result r = VaeTraining.train(o, out, run.workOr("target/world-ldm/vae-work"), run.resume,
                initFrom, decoderOnly);
        LOG.info("VAE: {} steps in {} s, scaling factor {}, held-out PSNR {} dB, all-correct on reconstructions {} -> {}",
                r.steps(), Math.round(r.seconds()), r.scalingFactor(), r.heldOutPsnr(), r.reconstructionCeiling(),
                r.vaeDir());
        return 0;
    }
}
