package io.github.t2i4j.examples;

import io.github.t2i4j.star.training.StarWorldTokenizerTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
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

    @Override
    public Integer call() throws Exception {
        StarWorldTokenizerTraining.Options o = run.applyTo(StarWorldTokenizerTraining.Options.defaults());
        StarWorldTokenizerTraining.Result r =
                StarWorldTokenizerTraining.train(o, out, run.workOr("target/star/tokenizer-work"), run.resume);
        LOG.info("tokenizer: {} steps in {} s, held-out PSNR {} dB, codebook usage {}% (held-out) -> {}", r.steps(),
                Math.round(r.seconds()), r.heldOutPsnr(), r.heldOutUsagePercent(), r.tokenizerDir());
        return 0;
    }
}
