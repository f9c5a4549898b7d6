package io.github.t2i4j.examples;

import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.clip.ClipRetrieval;
import io.github.t2i4j.core.world.clip.HardNegatives;
import io.github.t2i4j.core.world.clip.WorldClipTraining;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Option;

/** Trains the world's small CLIP and writes it, with its model card, to a folder. */
@Command(
        name = "clip",
        mixinStandardHelpOptions = true,
        description = "Train the bundled world's small CLIP contrastively; writes a transformers-layout folder and MODEL_CARD.md.")
final class TrainClipCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(TrainClipCommand.class);

    @Option(names = "--out", defaultValue = "models/world-clip", paramLabel = "DIR", description = "Model folder (default: ${DEFAULT-VALUE}).")
    Path out;

    @Mixin TrainingRunOptions run;

    @Spec CommandSpec spec;

    @Option(names = "--batch-size", defaultValue = "128", description = "Pairs per step (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--hard-negatives",
            description = "Add a NegCLIP hard-negative caption per pair (one attribute changed, texture most often), so the text tower reads every attribute word.")
    boolean hardNegatives;

    @Option(names = "--sequence-weight", defaultValue = "0", paramLabel = "W",
            description = "With --hard-negatives: weight of a margin keeping each caption's text-tower sequence output"
                    + " (what a UNet reads) apart from its hard negative's, cosine at most 0.9 (default: ${DEFAULT-VALUE}, off).")
    double sequenceWeight;

    @Option(names = "--no-progress", negatable = false, description = "No progress bar (for logs).")
    boolean noProgress;

    @Override
    public Integer call() throws Exception {
        WorldClipTraining.Options d = WorldClipTraining.Options.defaults();
        if (run.stopAfter != null) {
            throw new ParameterException(spec.commandLine(),
                    "'train clip' runs to --steps; to train in slices, interrupt it and continue with --resume");
        }
        long steps = run.steps != null ? run.steps : d.loop().steps();
        if (sequenceWeight > 0 && !hardNegatives) {
            throw new ParameterException(spec.commandLine(), "--sequence-weight needs --hard-negatives");
        }
        TrainingLoop loop = d.loop().withBatchSize(batchSize).withProgressBar(!noProgress)
                .withWarmupSteps(Math.min(d.loop().warmupSteps(), steps / 10 + 1));
        WorldClipTraining.Options o = run.applyTo(
                d.withLoop(loop).withHardNegatives(hardNegatives).withSequenceWeight(sequenceWeight));
        WorldClipTraining.Result r = WorldClipTraining.train(o, out, run.workOr("target/world-clip-work"), run.resume);
        Files.writeString(out.resolve("MODEL_CARD.md"), card(o, r));
        LOG.info("wrote {} ({} parameters, {} steps, {} s)", out, r.parameters(), r.steps(),
                String.format(Locale.ROOT, "%.0f", r.seconds()));
        return 0;
    }

    private String card(WorldClipTraining.Options o, WorldClipTraining.Result r) {
        ClipRetrieval.Result ret = r.retrieval();
        return String.format(Locale.ROOT, """
                # world-clip: the bundled world's small CLIP

                A CLIP (transformers `CLIPModel` layout: text and vision transformers, projections, logit scale)
                trained contrastively on the bundled compositional world's training split. Its text encoder is the
                frozen text encoder of the generators t2i4j trains; its image features give the CLIP score and the
                FID features of `t2i4j evaluate`.

                | | |
                |---|---|
                | parameters | %,d (fp16 safetensors) |
                | text | %d layers, width %d, %d heads, world tokenizer (WordLevel, %s) |
                | vision | ViT, 64x64 input in [-1, 1], patch %d, %d layers, width %d |
                | projection | %d |
                | training | %d steps x %d pairs, AdamW lr %.0e (warm-up %d, cosine to lr/10), weight decay %.2f, grad-norm clip 1.0, seed %d |
                | time | %.0f s on this run's machine (2 CPU cores unless stated) |
                | final training loss | %.4f |

                ## Zero-shot retrieval on held-out captions

                The 1,200 held-out prompts of the six T2I-CompBench-style categories (combinations never seen in
                training), rendered from their reference scenes, in groups of %d: top-1 accuracy of finding the
                caption of an image among the group's captions, and the image of a caption among its images.

                | image -> text | text -> image | pairs |
                |---|---|---|
                | %.3f | %.3f | %d |

                ## Attribute words (hard negatives)

                The same 1,200 held-out pairs: how often the image's own caption scores above the caption with
                one attribute changed so that the image no longer satisfies it (0.5: the attribute is ignored).
                Trained %s hard negatives.

                %s

                What a UNet conditioned on this text tower reads: the mean cosine between the whole final-normed
                sequence output of each caption and of its hard negative, over the negatives that substitute one
                word (near 1: the UNet can hardly tell the attribute apart).

                %s

                ![loss](loss.png)

                ## Reproduce

                ```bash
                java -jar examples/target/t2i4j.jar train clip --out %s --steps %d --batch-size %d --seed %d%s
                ```

                Interrupted runs continue with `--resume` from the checkpoints in `--work`.
                """,
                r.parameters(), o.layers(), o.hiddenSize(), o.heads(), "lowercased words of the caption grammar",
                o.patchSize(), o.layers(), o.hiddenSize(), o.projectionDim(), r.steps(), o.loop().batchSize(),
                o.loop().learningRate(), o.loop().warmupSteps(), o.loop().weightDecay(), o.loop().seed(), r.seconds(), r.finalLoss(), ret.group(), ret.imageToText(),
                ret.textToImage(), ret.pairs(), o.hardNegatives()
                        ? (o.sequenceWeight() > 0 ? "with a sequence margin (weight " + o.sequenceWeight() + ") and" : "with")
                        : "without", attributeTable(r.hardNegativeAccuracy()), attributeTable(r.sequenceCosine()),
                out, o.loop().steps(), o.loop().batchSize(), o.loop().seed(), (o.hardNegatives() ? " --hard-negatives" : "")
                        + (o.sequenceWeight() > 0 ? " --sequence-weight " + o.sequenceWeight() : "")
                        + (run.learningRate != null ? " --learning-rate " + o.loop().learningRate() : "")
                        + (run.warmupSteps != null ? " --warmup-steps " + o.loop().warmupSteps() : ""));
    }

    private static String attributeTable(Map<HardNegatives.Kind, Double> values) {
        StringBuilder head = new StringBuilder("|");
        StringBuilder rule = new StringBuilder("|");
        StringBuilder row = new StringBuilder("|");
        values.forEach((kind, acc) -> {
            head.append(' ').append(kind.name().toLowerCase(Locale.ROOT).replace('_', ' ')).append(" |");
            rule.append("---|");
            row.append(String.format(Locale.ROOT, " %.3f |", acc));
        });
        return head + "\n" + rule + "\n" + row;
    }
}
