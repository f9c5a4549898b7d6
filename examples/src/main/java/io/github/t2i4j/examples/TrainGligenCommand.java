package io.github.t2i4j.examples;

import io.github.t2i4j.itercomp.gallery.LayoutTraining;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Trains IterComp's layout-based gallery member: GLIGEN's gated self-attention layers on a frozen
 * text-to-image pipeline, on the world's scene layouts ({@link LayoutTraining}).
 */
@Command(
        name = "gligen",
        mixinStandardHelpOptions = true,
        description = {"Train GLIGEN layers (gated self-attention on grounding tokens: each object's box and phrase) on a"
                + " frozen StableDiffusionPipeline, on the world's scene layouts.",
                "The folder written is the layout member of 'itercomp gallery' and 'itercomp run':"
                        + " --member NAME=layout:PIPELINE_DIR,OUT."})
final class TrainGligenCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainGligenCommand.class);

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--pipeline", paramLabel = "DIR",
            description = "The frozen StableDiffusionPipeline folder the layers attach to (default: the embedded world-ldm).")
    String pipeline;

    @Option(names = "--out", defaultValue = "target/world-gligen", paramLabel = "DIR",
            description = "The GLIGEN UNet folder written (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--latent-cache", paramLabel = "N",
            description = "Training samples whose VAE latents are encoded once and reused (default: the job's, 65536; 0"
                    + " encodes every batch).")
    Integer latentCache;

    @Option(names = "--batch-size", paramLabel = "N", description = "Samples per step (default: the job's, 32).")
    Integer batchSize;

    @Option(names = "--gate-lr-scale", paramLabel = "X",
            description = "How many times faster than the other new parameters the fusers' gates learn (default: the"
                    + " job's, 100).")
    Double gateScale;

    @Mixin TrainingRunOptions run;

    @Override
    public Integer call() throws Exception {
        Path base = DefaultModel.resolve(pipeline, spec.commandLine());
        LayoutTraining.Options o = run.applyTo(LayoutTraining.Options.defaults());
        if ((latentCache != null && latentCache < 0) || (batchSize != null && batchSize < 1)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--latent-cache must be >= 0 and --batch-size positive");
        }
        if (gateScale != null) {
            if (!(gateScale > 0)) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--gate-lr-scale must be positive");
            }
            o = o.withGateLearningRateScale(gateScale);
        }
        if (batchSize != null) {
            o = o.withBatchSize(batchSize);
        }
        if (latentCache != null) {
            o = o.withLatentCache(latentCache);
        }
        LayoutTraining.Result r = LayoutTraining.train(o, base, out, run.workOr("target/world-gligen-work"), run.resume);
        LOG.info("GLIGEN: {} steps in {} s, final loss {}, held-out denoising loss {} with layouts ({} for the base"
                        + " without); member spec: NAME=layout:{},{}", r.steps(), Math.round(r.seconds()), r.finalLoss(),
                r.validationLoss(), r.baseValidationLoss(), base, out);
        return 0;
    }
}
