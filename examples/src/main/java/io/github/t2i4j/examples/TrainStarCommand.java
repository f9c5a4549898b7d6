package io.github.t2i4j.examples;

import io.github.t2i4j.star.model.PositionEncoding;
import io.github.t2i4j.star.training.StarExport;
import io.github.t2i4j.star.training.StarTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains the STAR transformer on a trained tokenizer and the world CLIP's text, then exports a STAR
 * model folder; with {@code --transfer-from} it fine-tunes a trained transformer on a longer scale
 * schedule instead (resolution transfer).
 */
@Command(
        name = "star",
        mixinStandardHelpOptions = true,
        description = "Train the STAR transformer (text start token, cross-attention, normalised 2D RoPE) on a trained tokenizer, then export a STAR model folder.")
final class TrainStarCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainStarCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--tokenizer", defaultValue = "target/star/vq_tokenizer", paramLabel = "DIR",
            description = "Trained tokenizer folder (train star-tokenizer; default: ${DEFAULT-VALUE}).")
    Path tokenizer;

    @Option(names = "--clip", defaultValue = "models/world-clip", paramLabel = "DIR",
            description = "World CLIP whose frozen text tower conditions the model (default: ${DEFAULT-VALUE}).")
    Path clip;

    @Option(names = "--transformer-out", defaultValue = "target/star/transformer", paramLabel = "DIR",
            description = "Transformer folder (default: ${DEFAULT-VALUE}).")
    Path transformerOut;

    @Option(names = "--out", defaultValue = "target/star/model", paramLabel = "DIR",
            description = "Exported STAR model folder for generate/evaluate --model (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--positions", defaultValue = "NORMALIZED_ROPE",
            description = "NORMALIZED_ROPE (STAR) or ABSOLUTE (VAR's position table), for the comparison (default: ${DEFAULT-VALUE}).")
    PositionEncoding positions;

    @Option(names = "--transfer-from", paramLabel = "DIR",
            description = "Resolution transfer: fine-tune this trained transformer folder on --patch-nums instead of training from scratch.")
    Path transferFrom;

    @Option(names = "--patch-nums", split = ",", paramLabel = "N",
            description = "With --transfer-from: the longer scale schedule, e.g. 1,2,3,4,6,8,12 (96 px with the world tokenizer).")
    int[] patchNums;

    @Option(names = "--batch-size", description = "Samples per step (default: the job's, 32).")
    Integer batchSize;

    @Option(names = "--token-cache", paramLabel = "N",
            description = "Training samples tokenized once and reused (default: the job's, 65536). A short resolution"
                    + " transfer draws at most steps x batch size samples: a smaller cache saves building it.")
    Integer tokenCache;

    @Mixin TrainingRunOptions run;

    @Override
    public Integer call() throws Exception {
        if ((transferFrom == null) != (patchNums == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--transfer-from and --patch-nums go together");
        }
        StarTraining.Options o = run.applyTo(StarTraining.Options.defaults().withPositions(positions));
        if (batchSize != null) {
            o = o.withBatchSize(batchSize);
        }
        if (tokenCache != null) {
            o = o.withTokenCache(tokenCache);
        }
        Path work = run.workOr("target/star/transformer-work");
        StarTraining.Result r = transferFrom == null
                ? StarTraining.train(o, tokenizer, clip, transformerOut, work, run.resume)
                : StarTraining.fineTuneAt(o, transferFrom, patchNums, tokenizer, clip, transformerOut, work, run.resume);
        LOG.info("STAR: {} steps in {} s ({} parameters), final loss {}, held-out token cross-entropy {}", r.steps(),
                Math.round(r.seconds()), r.parameters(), r.finalLoss(), r.validationLoss());
        if (transferFrom != null) {
            LOG.info("resolution transfer ({} positions): held-out token cross-entropy {} before fine-tuning, {} after",
                    r.config().positions(), r.validationBeforeTraining(), r.validationLoss());
        }
        if (run.stopAfter == null || r.steps() >= o.loop().steps()) {
            Path dir = StarExport.export(tokenizer, transformerOut, clip, out);
            LOG.info("exported the STAR model to {} (generate --model {})", dir, dir);
        }
        return 0;
    }
}
