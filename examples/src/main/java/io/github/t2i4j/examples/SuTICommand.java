package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.suti.model.SuTIPipeline;
import java.nio.file.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Groups SuTI's jobs (arXiv 2304.00186): the apprenticeship data made by DreamBooth experts, SuTI's
 * training, and its evaluation against the per-subject baselines on held-out subjects.
 */
@Command(
        name = "suti",
        mixinStandardHelpOptions = true,
        description = "SuTI: subject-driven generation without fine-tuning, trained by apprenticeship of"
                + " per-subject DreamBooth experts.",
        subcommands = {SuTIApprenticeCommand.class, SuTIEvaluateCommand.class, SuTITrainCommand.class})
final class SuTICommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a SuTI job: 'apprentice', 'evaluate' or 'train'");
    }

    /**
     * The SuTI model folder {@code name} names (a folder, or a shipped model's name such as
     * "suti"), or a usage error naming {@code option}.
     */
    static Path sutiFolder(String name, String option, CommandLine cl) {
        Path dir;
        try {
            dir = DefaultModel.resolve(name, cl);
        } catch (CommandLine.ParameterException e) {
            throw new CommandLine.ParameterException(cl, e.getMessage().replaceFirst("^--model", option)
                    + "; train one with 'suti train'");
        }
        if (!SuTIPipeline.isSuTIFolder(dir)) {
            throw new CommandLine.ParameterException(cl, option + " " + name + " (" + dir
                    + ") is not a SuTI model folder (its model_index.json does not say " + SuTIPipeline.CLASS_NAME + ")");
        }
        return dir;
    }

    /** The SuTI model folder's UNet on the already loaded {@code base}; a usage error if they do not fit. */
    static SuTIPipeline openSuTI(Path sutiDir, StableDiffusionPipeline base, CommandLine cl) {
        try {
            return SuTIPipeline.load(sutiDir, base);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cl, "SuTI model " + sutiDir + " does not fit the base model: "
                    + e.getMessage());
        }
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
