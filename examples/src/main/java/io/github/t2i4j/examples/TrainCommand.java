package io.github.t2i4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the training jobs that reproduce the shipped checkpoints. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = "Train the models shipped in models/ from scratch (resumable).",
        subcommands = {TrainClipCommand.class, TrainVaeCommand.class, TrainUnetCommand.class,
                TrainStarTokenizerCommand.class, TrainStarCommand.class, TrainGligenCommand.class})
final class TrainCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name what to train, e.g. 'clip'");
    }
}
