package io.github.t2i4j.star.training;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.world.ldm.LdmExport;
import io.github.t2i4j.star.StarPipeline;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.sample.SamplingOptions;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles a trained tokenizer ({@link StarWorldTokenizerTraining}), transformer ({@link
 * StarTraining}) and the world CLIP into the STAR model folder {@link StarPipeline#load} reads:
 *
 * <pre>
 * model_index.json  _class_name StarPipeline, the parts, and the default sampling settings
 * vq_tokenizer/     config.json (with the transformer's scale schedule), model.safetensors
 * transformer/      config.json, model.safetensors (the EMA weights)
 * text_encoder/     config.json (CLIPTextModel), model.safetensors (the world CLIP's text_model.* only)
 * tokenizer/        the text tokenizer files
 * training/         the training logs and plots of the tokenizer and the transformer, when present
 * </pre>
 *
 * All weights are fp16 safetensors.
 */
public final class StarExport {
    private static final Logger LOG = LoggerFactory.getLogger(StarExport.class);

    private StarExport() {}

    /** {@link #export(Path, Path, Path, Path, SamplingOptions)} with STAR's demo sampling settings. */
    public static Path export(Path tokenizerDir, Path transformerDir, Path worldClipDir, Path outDir)
            throws IOException {
        return export(tokenizerDir, transformerDir, worldClipDir, outDir, SamplingOptions.defaults(0));
    }

    /**
     * Writes the model folder; the tokenizer's config gets the transformer's scale schedule (the
     * same tokenizer serves a longer schedule after {@link StarTraining#fineTuneAt}).
     *
     * @param sampling the defaults written to model_index.json (the seed is not)
     * @return {@code outDir}
     */
    public static Path export(Path tokenizerDir, Path transformerDir, Path worldClipDir, Path outDir,
            SamplingOptions sampling) throws IOException {
        Files.createDirectories(outDir);
        try (NDManager m = NDManager.newBaseManager()) {
            StarTransformer model = StarTransformer.fromPretrained(transformerDir, m);
            List<Integer> pns = Arrays.stream(model.config().patchNums()).boxed().toList();
            MultiScaleVQTokenizer tokenizer = MultiScaleVQTokenizer.fromPretrained(tokenizerDir, pns, m);
            if (model.config().vocabSize() != tokenizer.config().vocabSize()
                    || model.config().cvae() != tokenizer.config().zChannels()) {
                throw new IllegalArgumentException("the transformer in " + transformerDir
                        + " was not trained on the tokenizer in " + tokenizerDir);
            }
            model.save(outDir.resolve(StarPipeline.TRANSFORMER), Dtype.F16);
            tokenizer.save(outDir.resolve(StarPipeline.VQ_TOKENIZER), Dtype.F16);
        }
        LdmExport.writeTextEncoder(worldClipDir, outDir.resolve(StarPipeline.TEXT_ENCODER));
        LdmExport.writeTokenizer(worldClipDir, outDir.resolve(StarPipeline.TOKENIZER));
        writeJson(modelIndex(sampling), outDir.resolve("model_index.json"));
        Path training = outDir.resolve("training");
        copyLogs(tokenizerDir, training, "tokenizer_");
        copyLogs(transformerDir, training, "transformer_");
        LOG.info("wrote the STAR model {}", outDir);
        return outDir;
    }

    /** {@code model_index.json}: the pipeline class, each part's library and class, the sampling defaults. */
    public static JsonObject modelIndex(SamplingOptions sampling) {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", StarPipeline.CLASS_NAME);
        o.add(StarPipeline.VQ_TOKENIZER, pair("t2i4j", "MultiScaleVQTokenizer"));
        o.add(StarPipeline.TRANSFORMER, pair("t2i4j", "StarTransformer"));
        o.add(StarPipeline.TEXT_ENCODER, pair("transformers", "CLIPTextModel"));
        o.add(StarPipeline.TOKENIZER, pair("transformers", "PreTrainedTokenizerFast"));
        o.add("sampling", StarPipeline.samplingJson(sampling));
        return o;
    }

    private static void copyLogs(Path src, Path trainingDir, String prefix) throws IOException {
        for (String f : List.of("metrics.jsonl", "loss.png", "reconstructions.png", "samples.png")) {
            Path p = src.resolve(f);
            if (Files.isRegularFile(p)) {
                Files.createDirectories(trainingDir);
                Files.copy(p, trainingDir.resolve(prefix + f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    private static JsonArray pair(String library, String cls) {
        JsonArray a = new JsonArray();
        a.add(library);
        a.add(cls);
        return a;
    }

    private static void writeJson(JsonObject o, Path file) throws IOException {
        Files.writeString(file, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
    }
}
