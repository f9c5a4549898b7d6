package io.github.t2i4j.examples;

import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.core.world.WorldSplit;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Writes samples of the bundled world to a folder for inspection. */
@Command(
        name = "world-export",
        mixinStandardHelpOptions = true,
        description = "Write N samples of the bundled world (PNGs + captions.jsonl with categories, structured prompts and scenes).")
final class WorldExportCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(WorldExportCommand.class);

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "DIR", description = "Folder to write.")
    Path out;

    @Option(names = {"-n", "--count"}, defaultValue = "100", description = "Samples (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--split", defaultValue = "TRAIN", description = "TRAIN or HELD_OUT (default: ${DEFAULT-VALUE}).")
    WorldSplit split;

    @Option(names = {"-s", "--seed"}, defaultValue = "0", description = "Stream seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() {
        WorldDataset.export(out, count, split, seed);
        LOG.info("wrote {} {} samples to {}", count, split, out);
        return 0;
    }
}
