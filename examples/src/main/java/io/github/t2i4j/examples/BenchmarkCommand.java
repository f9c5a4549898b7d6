package io.github.t2i4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Groups the benchmarks; each writes JSON. */
@Command(
        name = "benchmark",
        mixinStandardHelpOptions = true,
        description = "Time models on this machine and compare with its matmul ceiling.",
        subcommands = {UnetBenchmark.class, GenerateBenchmark.class, StarBenchmark.class, CostBenchmark.class})
final class BenchmarkCommand implements Runnable {
    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a benchmark: 'unet', 'generate', 'star' or 'cost'");
    }
}
