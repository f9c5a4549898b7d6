package io.github.t2i4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups IterComp's jobs (arXiv 2410.07171): the model gallery's comparison, and the whole iterative loop. */
@Command(
        name = "itercomp",
        mixinStandardHelpOptions = true,
        description = "IterComp: model gallery, preference data, reward models and feedback learning.",
        subcommands = {IterCompGalleryCommand.class, IterCompRunCommand.class})
final class IterCompCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name an IterComp job: 'gallery' or 'run'");
    }
}
