package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Groups SuTI's jobs (arXiv 2304.00186): the apprenticeship data made by DreamBooth experts, the
 * per-subject baselines measured on held-out subjects, and SuTI's training.
 */
@Command(
        name = "suti",
        mixinStandardHelpOptions = true,
        description = "SuTI: subject-driven generation without fine-tuning, trained by apprenticeship of"
                + " per-subject DreamBooth experts.",
        subcommands = {SuTIApprenticeCommand.class, SuTIExpertsCommand.class, SuTITrainCommand.class})
final class SuTICommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a SuTI job: 'apprentice', 'experts' or 'train'");
    }

    /** The base pipeline folder {@code --base} names (a folder or a shipped model's name), or a usage error naming it. */
    static Path base(String base, CommandLine cl) {
        try {
            return DefaultModel.resolve(base, cl);
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage().replaceFirst("^--model", "--base"));
        }
    }

    /** Loads {@code dir} onto {@code device}; a usage error if it is not a StableDiffusionPipeline. */
    static StableDiffusionPipeline load(Path dir, String device, CommandLine cl) {
        DiffusionPipeline p = DiffusionPipelines.load(dir, Device.fromName(device));
        if (p instanceof StableDiffusionPipeline sd) {
            return sd;
        }
        String kind = p.getClass().getSimpleName();
        p.close();
        throw new CommandLine.ParameterException(cl, "--base " + dir + " is a " + kind
                + "; SuTI's jobs need a StableDiffusionPipeline folder");
    }

    /** A usage error unless {@code value} is in [{@code min}, {@code max}]. */
    static void range(CommandLine cl, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(cl, option + " must be " + (max == Long.MAX_VALUE
                    ? "at least " + min : min + " to " + max) + ", got " + value);
        }
    }
}
