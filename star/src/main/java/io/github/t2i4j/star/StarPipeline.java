package io.github.t2i4j.star;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.star.model.StarTransformer;
import io.github.t2i4j.star.sample.SamplingOptions;
import io.github.t2i4j.star.sample.StarSample;
import io.github.t2i4j.star.sample.StarSampler;
import io.github.t2i4j.star.sample.StarTextEncoder;
import io.github.t2i4j.star.sample.TextCondition;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A STAR text-to-image model as one object: the frozen CLIP text tower, the STAR transformer and
 * the multi-scale VQ tokenizer, sampled by {@link StarSampler}. It is a {@link TextToImageGenerator},
 * so core's evaluation runs it; image {@code i} of a call is drawn with seed {@code seed + i}.
 *
 * <p>A saved model is a folder (written by {@code io.github.t2i4j.star.training.StarExport}):
 *
 * <pre>
 * model_index.json  {"_class_name": "StarPipeline", ..., "sampling": {cfg, top_k, top_p, temperature}}
 * vq_tokenizer/     config.json (VAR's VQVAE keys, the transformer's scale schedule), model.safetensors
 * transformer/      config.json (STAR's argument names), model.safetensors
 * text_encoder/     config.json (CLIPTextModel), model.safetensors
 * tokenizer/        tokenizer.json, tokenizer_config.json, special_tokens_map.json (the text tokenizer)
 * </pre>
 *
 * The text tokenizer keeps diffusers' folder name {@code tokenizer/}; the image tokenizer is {@code
 * vq_tokenizer/}.
 */
public final class StarPipeline implements TextToImageGenerator {
    private static final Logger LOG = LoggerFactory.getLogger(StarPipeline.class);

    /** The pipeline class named in {@code model_index.json}. */
    public static final String CLASS_NAME = "StarPipeline";
    public static final String VQ_TOKENIZER = "vq_tokenizer";
    public static final String TRANSFORMER = "transformer";
    public static final String TEXT_ENCODER = "text_encoder";
    public static final String TOKENIZER = "tokenizer";

    private final String name;
    private final NDManager manager;
    private final StarTextEncoder text;
    private final StarSampler sampler;
    private final SamplingOptions defaults;

    /**
     * A pipeline over loaded parts. It owns (and closes) {@code manager} and {@code text}, not the
     * models.
     *
     * @param defaults the sampling settings of {@link #generate(List, long)} (its seed is replaced)
     */
    public StarPipeline(String name, NDManager manager, StarTextEncoder text, StarTransformer model,
            MultiScaleVQTokenizer tokenizer, SamplingOptions defaults) {
        if (model.config().inDimCross() != text.hiddenSize()) {
            throw new IllegalArgumentException("the transformer takes text features of width "
                    + model.config().inDimCross() + ", the text encoder gives " + text.hiddenSize());
        }
        this.name = name;
        this.manager = manager;
        this.text = text;
        this.sampler = new StarSampler(model, tokenizer);
        this.defaults = defaults;
    }

    /** Loads a STAR model folder on the CPU. */
    public static StarPipeline load(Path dir) {
        return load(dir, Device.cpu());
    }

    /** Loads a STAR model folder (see the class comment) on {@code device}, every part frozen. */
    public static StarPipeline load(Path dir, Device device) {
        JsonObject index = JsonFiles.readObject(dir.resolve("model_index.json"), "STAR model index");
        JsonElement cls = index.get("_class_name");
        if (cls == null || !CLASS_NAME.equals(cls.getAsString())) {
            throw new CheckpointException(dir + " is not a " + CLASS_NAME + " folder (_class_name " + cls + ")");
        }
        for (String part : List.of(VQ_TOKENIZER, TRANSFORMER, TEXT_ENCODER, TOKENIZER)) {
            if (!Files.isDirectory(dir.resolve(part))) {
                throw new CheckpointException(dir + " has no " + part + "/ folder");
            }
        }
        NDManager manager = NDManager.newBaseManager(device);
        try {
            StarTransformer model = StarTransformer.fromPretrained(dir.resolve(TRANSFORMER), manager);
            List<Integer> pns = Arrays.stream(model.config().patchNums()).boxed().toList();
            MultiScaleVQTokenizer tokenizer =
                    MultiScaleVQTokenizer.fromPretrained(dir.resolve(VQ_TOKENIZER), pns, manager);
            model.namedParameters().values().forEach(p -> p.freeze(true));
            tokenizer.namedParameters().values().forEach(p -> p.freeze(true));
            StarTextEncoder text =
                    StarTextEncoder.fromPretrained(dir.resolve(TEXT_ENCODER), dir.resolve(TOKENIZER), manager);
            SamplingOptions defaults = samplingDefaults(index.getAsJsonObject("sampling"));
            LOG.debug("loaded STAR model {}: {} px, scales {}, {}", dir, tokenizer.config().imageSize(), pns, defaults);
            String name = "STAR (" + dir.toAbsolutePath().normalize().getFileName() + ")";
            return new StarPipeline(name, manager, text, model, tokenizer, defaults);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    /** The {@code sampling} object of model_index.json over STAR's demo settings. */
    static SamplingOptions samplingDefaults(JsonObject o) {
        SamplingOptions d = SamplingOptions.defaults(0);
        if (o == null) {
            return d;
        }
        return new SamplingOptions(
                o.has("cfg") ? o.get("cfg").getAsDouble() : d.cfg(),
                o.has("top_k") ? o.get("top_k").getAsInt() : d.topK(),
                o.has("top_p") ? o.get("top_p").getAsDouble() : d.topP(),
                o.has("temperature") ? o.get("temperature").getAsDouble() : d.temperature(),
                0);
    }

    /** The {@code sampling} object of model_index.json for {@code options} (seed left out). */
    public static JsonObject samplingJson(SamplingOptions options) {
        JsonObject o = new JsonObject();
        o.addProperty("cfg", options.cfg());
        o.addProperty("top_k", options.topK());
        o.addProperty("top_p", options.topP());
        o.addProperty("temperature", options.temperature());
        return o;
    }

    @Override
    public String name() {
        return name;
    }

    /** The side of the generated images in pixels. */
    public int imageSize() {
        return sampler.tokenizer().config().imageSize();
    }

    /** The sampling settings {@link #generate(List, long)} uses. */
    public SamplingOptions samplingDefaults() {
        return defaults;
    }

    public StarSampler sampler() {
        return sampler;
    }

    /** One image per prompt with the default sampling settings; image {@code i} uses seed {@code seed + i}. */
    @Override
    public List<BufferedImage> generate(List<String> prompts, long seed) {
        return generate(prompts, defaults.withSeed(seed));
    }

    /** One image per prompt; image {@code i} uses seed {@code options.seed() + i}. */
    public List<BufferedImage> generate(List<String> prompts, SamplingOptions options) {
        return generate(prompts, options, true);
    }

    /**
     * As {@link #generate(List, SamplingOptions)}, with or without the transformer's KV cache
     * (without it, the same images, slower: for measuring what the cache saves).
     */
    public List<BufferedImage> generate(List<String> prompts, SamplingOptions options, boolean kvCache) {
        if (prompts.isEmpty()) {
            return List.of();
        }
        StarSampler s0 = kvCache ? sampler : sampler.withKvCache(false);
        try (NDManager m = manager.newSubManager()) {
            TextCondition cond = text.encode(prompts, m);
            TextCondition uncond = options.cfg() == 0 ? null : text.encode(List.of(""), m);
            try (StarSample s = s0.sample(cond, uncond, options)) {
                return s.toImages();
            }
        }
    }

    @Override
    public void close() {
        text.close();
        manager.close();
    }
}
