package io.github.t2i4j.examples;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.ldm.ReconstructionCeiling;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The evaluator's all-correct rate on a VAE's reconstructions of the held-out renders: the most a
 * UNet on its latents can reach. Takes a VAE folder, or a training checkpoint's weights with the
 * folder's config, so a VAE can be judged while it trains.
 */
@Command(
        name = "vae-ceiling",
        mixinStandardHelpOptions = true,
        description = "Judge a VAE's (or STAR tokenizer's) reconstructions of the held-out renders with the evaluator: the all-correct rate any UNet (or STAR transformer) on it can reach at most.")
final class VaeCeilingCommand implements Callable<Integer> {
    private static final Logger LOG = LoggerFactory.getLogger(VaeCeilingCommand.class);

    @Option(names = "--vae", paramLabel = "DIR",
            description = "VAE folder (config.json, and its weights unless --weights is given).")
    Path vae;

    @Option(names = "--vq-tokenizer", paramLabel = "DIR",
            description = "Instead of --vae: a STAR multi-scale VQ tokenizer folder (train star-tokenizer), whose"
                    + " reconstructions cap every STAR transformer on it.")
    Path vqTokenizer;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Option(names = "--weights", paramLabel = "FILE",
            description = "Other weights for the folder's config, e.g. a training checkpoint's model.safetensors.")
    Path weights;

    @Option(names = "--per-category", defaultValue = "200", description = "Held-out renders per category, at most 200 (default: ${DEFAULT-VALUE}).")
    int perCategory;

    @Option(names = "--categories", split = ",", description = "Categories (default: all seven).")
    List<Category> categories;

    @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Also write the rates as JSON here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        if ((vae == null) == (vqTokenizer == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "give exactly one of --vae and --vq-tokenizer");
        }
        if (vqTokenizer != null && weights != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--weights goes with --vae");
        }
        List<Category> cats = categories != null ? categories : List.of(Category.values());
        try (NDManager m = NDManager.newBaseManager()) {
            if (vqTokenizer != null) {
                MultiScaleVQTokenizer tok = MultiScaleVQTokenizer.fromPretrained(vqTokenizer, m);
                tok.freezeParameters();
                report(ReconstructionCeiling.measure(tok::reconstruct, cats, perCategory, m), vqTokenizer.toString());
                return 0;
            }
            AutoencoderKL model;
            if (weights == null) {
                model = AutoencoderKL.fromPretrained(vae, m, DataType.FLOAT32);
            } else {
                model = AutoencoderKL.fromConfig(AutoencoderKLConfig.fromJson(vae.resolve("config.json")));
                try (SafetensorsFile f = SafetensorsFile.open(weights)) {
                    model.loadWeights(f, m, DataType.FLOAT32);
                }
            }
            model.freezeParameters();
            report(ReconstructionCeiling.measure(model, cats, perCategory, m), vae + (weights == null ? "" : " with " + weights));
        }
        return 0;
    }

    private void report(Map<String, Double> rates, String what) throws java.io.IOException {
        LOG.info("all-correct on reconstructions of {}: {}", what, rates);
        if (out != null) {
            Files.writeString(out, new GsonBuilder().setPrettyPrinting().create().toJson(rates));
        }
    }
}
