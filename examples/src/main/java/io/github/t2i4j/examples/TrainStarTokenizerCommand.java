package io.github.t2i4j.examples;

import io.github.t2i4j.star.training.StarWorldTokenizerTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Trains STAR's multi-scale residual VQ tokenizer on world renders. */
@Command(
        name = "star-tokenizer",
        mixinStandardHelpOptions = true,
        description = "Train STAR's multi-scale VQ tokenizer (VAR layout) on world renders; reports reconstruction error and codebook usage.")
final class TrainStarTokenizerCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainStarTokenizerCommand.class);

    @Option(names = "--out", defaultValue = "target/star/vq_tokenizer", paramLabel = "DIR",
            description = "Tokenizer folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin TrainingRunOptions run;

    @Option(names = "--decoder-from", paramLabel = "DIR",
            description = "Fine-tune only the decoder (and post_quant_conv) of this trained tokenizer: token ids stay the"
                    + " same, so a STAR transformer trained on it keeps working; L1 + gradient (1) + texture (2) terms, 2,000 steps of 16 by default (--seed picks the data stream).")
    Path decoderFrom;

    @Mixin ReconstructionLossOptions losses;

    @Spec CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (decoderFrom == null && losses.given()) {
            throw new ParameterException(spec.commandLine(), "--gradient-weight and --texture-weight go with --decoder-from");
        }
        if (decoderFrom != null) {
            StarWorldTokenizerTraining.DecoderOptions d = StarWorldTokenizerTraining.DecoderOptions.defaults();
            d = new StarWorldTokenizerTraining.DecoderOptions(losses.gradientOr(d.gradientWeight()),
                    losses.textureOr(d.textureWeight()), d.loop(), d.heldOutPerCategory());
            StarWorldTokenizerTraining.Result r = StarWorldTokenizerTraining.fineTuneDecoder(run.applyTo(d), decoderFrom,
                    out, run.workOr("target/star/tokenizer-decoder-work"), run.resume);
            LOG.info("tokenizer decoder: {} steps in {} s, held-out PSNR {} dB -> {}", r.steps(), Math.round(r.seconds()),
                    r.heldOutPsnr(), r.tokenizerDir());
            return 0;
        }
        StarWorldTokenizerTraining.Options o = run.applyTo(StarWorldTokenizerTraining.Options.defaults());
        StarWorldTokenizerTraining.Result r =
                StarWorldTokenizerTraining.train(o, out, run.workOr("target/star/tokenizer-work"), run.resume);
        LOG.info("tokenizer: {} steps in {} s, held-out PSNR {} dB, codebook usage {}% (held-out) -> {}", r.steps(),
                Math.round(r.seconds()), r.heldOutPsnr(), r.heldOutUsagePercent(), r.tokenizerDir());
        return 0;
    }
}
