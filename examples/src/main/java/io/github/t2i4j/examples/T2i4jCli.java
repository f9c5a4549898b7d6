package io.github.t2i4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code t2i4j} command-line program: one subcommand per job. */
@Command(
        name = "t2i4j",
        mixinStandardHelpOptions = true,
        versionProvider = T2i4jCli.Version.class,
        description = "Text-to-image generation on the JVM (DJL + PyTorch).",
        subcommands = {
            GenerateCommand.class,
            BenchmarkCommand.class,
            SelfCheckCommand.class,
            TrainCommand.class,
            EvaluateCommand.class,
            WorldExportCommand.class,
            VaeCeilingCommand.class,
            IterCompCommand.class,
            SuTICommand.class,
            CommandLine.HelpCommand.class
        })
public final class T2i4jCli implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        // never reach for the network: natives come from the jars on the class path
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        System.exit(commandLine().execute(args));
    }

    /** The program's command line, with enum values (categories, devices, ...) accepted in any case. */
    public static CommandLine commandLine() {
        return new CommandLine(new T2i4jCli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
    }

    /** Reads the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = T2i4jCli.class.getPackage().getImplementationVersion();
            return new String[] {"t2i4j " + (v == null ? "(development build)" : v)};
        }
    }
}
