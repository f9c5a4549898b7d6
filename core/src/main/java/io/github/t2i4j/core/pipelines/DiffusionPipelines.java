package io.github.t2i4j.core.pipelines;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.schedulers.Scheduler;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.text.CLIPTextModel;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import io.github.t2i4j.core.text.CLIPTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a diffusers pipeline directory ({@code model_index.json} with {@code unet/}, {@code vae/},
 * {@code text_encoder/}, {@code tokenizer/}, {@code scheduler/}, and for SDXL {@code
 * text_encoder_2/}, {@code tokenizer_2/}) with one call, like {@code DiffusionPipeline.from_pretrained}.
 */
public final class DiffusionPipelines {
    private static final Logger LOG = LoggerFactory.getLogger(DiffusionPipelines.class);

    private DiffusionPipelines() {}

    /** Loads the pipeline the directory's {@code model_index.json} names, onto {@code device}. */
    public static DiffusionPipeline load(Path dir, Device device) {
        JsonObject index = readJson(dir.resolve("model_index.json"), "not a diffusers pipeline directory");
        String className = index.has("_class_name") ? index.get("_class_name").getAsString() : "";
        NDManager manager = NDManager.newBaseManager(device);
        try {
            switch (className) {
                case "StableDiffusionPipeline": {
                    TextEncoder encoder = textEncoder(dir, "text_encoder", manager);
                    return new StableDiffusionPipeline(
                            manager,
                            tokenizer(dir, "tokenizer", encoder),
                            encoder,
                            UNet2DConditionModel.fromPretrained(component(dir, "unet"), manager),
                            AutoencoderKL.fromPretrained(component(dir, "vae"), manager),
                            scheduler(dir));
                }
                case "StableDiffusionXLPipeline": {
                    TextEncoder encoder = textEncoder(dir, "text_encoder", manager);
                    TextEncoder encoder2 = textEncoder(dir, "text_encoder_2", manager);
                    return new StableDiffusionXLPipeline(
                            manager,
                            tokenizer(dir, "tokenizer", encoder),
                            tokenizer(dir, "tokenizer_2", encoder2),
                            encoder,
                            encoder2,
                            UNet2DConditionModel.fromPretrained(component(dir, "unet"), manager),
                            AutoencoderKL.fromPretrained(component(dir, "vae"), manager),
                            scheduler(dir),
                            !index.has("force_zeros_for_empty_prompt")
                                    || index.get("force_zeros_for_empty_prompt").getAsBoolean());
                }
                default:
                    throw new IllegalArgumentException(
                            "unsupported pipeline class '"
                                    + className
                                    + "' in "
                                    + dir.resolve("model_index.json")
                                    + "; supported: StableDiffusionPipeline, StableDiffusionXLPipeline");
            }
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    private static Path component(Path dir, String name) {
        Path p = dir.resolve(name);
        if (!Files.isDirectory(p)) {
            throw new CheckpointException("pipeline directory " + dir + " has no " + name + "/ folder");
        }
        return p;
    }

    /** The folder's tokenizer, its length capped at what the encoder's position table covers. */
    private static CLIPTokenizer tokenizer(Path dir, String name, TextEncoder encoder) {
        int positions = encoder.config().maxPositionEmbeddings();
        CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(component(dir, name));
        if (tokenizer.modelMaxLength() <= positions) {
            return tokenizer;
        }
        LOG.warn("{}/ pads to {} tokens but the text encoder takes {}: using {}",
                name, tokenizer.modelMaxLength(), positions, positions);
        tokenizer.close();
        return CLIPTokenizer.fromPretrained(component(dir, name), positions);
    }

    /** CLIPTextModel or CLIPTextModelWithProjection, as the folder's config.json says. */
    static TextEncoder textEncoder(Path dir, String name, NDManager manager) {
        Path p = component(dir, name);
        JsonObject cfg = readJson(p.resolve("config.json"), "text encoder folder without config");
        boolean projection = false;
        if (cfg.has("architectures") && cfg.get("architectures").isJsonArray()) {
            for (JsonElement a : cfg.getAsJsonArray("architectures")) {
                projection |= "CLIPTextModelWithProjection".equals(a.getAsString());
            }
        }
        return projection
                ? TextEncoder.of(CLIPTextModelWithProjection.fromPretrained(p, manager))
                : TextEncoder.of(CLIPTextModel.fromPretrained(p, manager));
    }

    private static Scheduler scheduler(Path dir) {
        Path cfg = component(dir, "scheduler").resolve("scheduler_config.json");
        return Schedulers.fromConfigOrDefault(cfg);
    }

    static JsonObject readJson(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException(what + ": " + file + " does not exist");
        }
        try {
            return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
        } catch (IOException | RuntimeException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
