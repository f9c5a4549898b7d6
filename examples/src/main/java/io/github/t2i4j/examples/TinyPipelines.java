package io.github.t2i4j.examples;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import io.github.t2i4j.core.training.TrainingLoop;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.stream.Stream;

/**
 * Assembles tiny diffusers-format pipeline directories from the golden parts (reference weights
 * of diffusers and transformers on tiny configurations), so the whole loading-and-generation path
 * runs end to end in seconds: an SD directory ({@code unet_sd}, {@code vae}, the quick-GELU CLIP
 * whose width matches the UNet's cross-attention) and an SDXL directory ({@code unet_sdxl}, the
 * same CLIP as first encoder and a seeded random 32-wide CLIP with projection as the second, so
 * that 32 + 32 = 64 matches the UNet's cross-attention and its projection the added embedding).
 */
public final class TinyPipelines {
    private TinyPipelines() {}

    /** Writes the SD directory under {@code out} and returns it. */
    public static Path stableDiffusion(Path golden, Path tokenizer, Path out) {
        try {
            Files.createDirectories(out);
            JsonObject index = new JsonObject();
            index.addProperty("_class_name", "StableDiffusionPipeline");
            index.add("unet", pair("diffusers", "UNet2DConditionModel"));
            index.add("vae", pair("diffusers", "AutoencoderKL"));
            index.add("text_encoder", pair("transformers", "CLIPTextModelWithProjection"));
            index.add("tokenizer", pair("transformers", "CLIPTokenizer"));
            index.add("scheduler", pair("diffusers", "DDIMScheduler"));
            writeJson(out.resolve("model_index.json"), index);
            copyModel(golden.resolve("unet_sd"), out.resolve("unet"), "diffusion_pytorch_model.safetensors");
            copyModel(golden.resolve("vae"), out.resolve("vae"), "diffusion_pytorch_model.safetensors");
            copyModel(golden.resolve("clip_text_quickgelu"), out.resolve("text_encoder"), "model.safetensors");
            copyDir(tokenizer, out.resolve("tokenizer"));
            scheduler(golden, "ddim.json", "DDIMScheduler", out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the SDXL directory under {@code out} and returns it. */
    public static Path stableDiffusionXL(Path golden, Path tokenizer, Path out) {
        try {
            Files.createDirectories(out);
            JsonObject index = new JsonObject();
            index.addProperty("_class_name", "StableDiffusionXLPipeline");
            index.addProperty("force_zeros_for_empty_prompt", true);
            index.add("unet", pair("diffusers", "UNet2DConditionModel"));
            index.add("vae", pair("diffusers", "AutoencoderKL"));
            index.add("text_encoder", pair("transformers", "CLIPTextModelWithProjection"));
            index.add("text_encoder_2", pair("transformers", "CLIPTextModelWithProjection"));
            index.add("tokenizer", pair("transformers", "CLIPTokenizer"));
            index.add("tokenizer_2", pair("transformers", "CLIPTokenizer"));
            index.add("scheduler", pair("diffusers", "EulerDiscreteScheduler"));
            writeJson(out.resolve("model_index.json"), index);
            copyModel(golden.resolve("unet_sdxl"), out.resolve("unet"), "diffusion_pytorch_model.safetensors");
            copyModel(golden.resolve("vae"), out.resolve("vae"), "diffusion_pytorch_model.safetensors");
            copyModel(golden.resolve("clip_text_quickgelu"), out.resolve("text_encoder"), "model.safetensors");
            randomTextEncoder2(golden, out.resolve("text_encoder_2"));
            copyDir(tokenizer, out.resolve("tokenizer"));
            copyDir(tokenizer, out.resolve("tokenizer_2"));
            scheduler(golden, "euler.json", "EulerDiscreteScheduler", out);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A 32-wide CLIP text encoder with a 32-wide projection, seeded random weights. */
    private static void randomTextEncoder2(Path golden, Path dir) throws IOException {
        Files.createDirectories(dir);
        JsonObject cfg = readJson(golden.resolve("clip_text_quickgelu/config.json"));
        cfg.addProperty("projection_dim", 32);
        cfg.addProperty("hidden_act", "gelu");
        writeJson(dir.resolve("config.json"), cfg);
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(1234);
            CLIPTextModelWithProjection model = new CLIPTextModelWithProjection(CLIPTextConfig.fromJson(cfg));
            model.initialize(m, DataType.FLOAT32);
            StateDict.save(model, dir.resolve("model.safetensors"), Dtype.F32);
        }
    }

    private static void scheduler(Path golden, String file, String className, Path out) throws IOException {
        JsonObject cfg = readJson(golden.resolve("schedulers").resolve(file));
        cfg.addProperty("_class_name", className);
        Files.createDirectories(out.resolve("scheduler"));
        writeJson(out.resolve("scheduler/scheduler_config.json"), cfg);
    }

    private static void copyModel(Path goldenCase, Path dir, String weightsName) throws IOException {
        Files.createDirectories(dir);
        Files.copy(goldenCase.resolve("config.json"), dir.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        Files.copy(goldenCase.resolve("weights.safetensors"), dir.resolve(weightsName), StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copyDir(Path from, Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, to.resolve(f.getFileName().toString()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static JsonArray pair(String library, String cls) {
        JsonArray a = new JsonArray();
        a.add(library);
        a.add(cls);
        return a;
    }

    private static JsonObject readJson(Path p) throws IOException {
        return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
    }

    private static void writeJson(Path p, JsonObject o) throws IOException {
        Files.writeString(p, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
    }

    /**
     * Writes a tiny STAR model folder under {@code out} with seeded random weights (a world CLIP of
     * width 32, a tokenizer over 32x32 images (factor 8) with scales 1,2,3,4 and 32 codes, a one-block
     * transformer) and returns it: the folder layout, loading and sampling, not image quality.
     */
    public static Path star(Path out) {
        try {
            Path parts = out.resolveSibling(out.getFileName() + "-parts");
            Path clipDir = parts.resolve("world-clip");
            io.github.t2i4j.core.text.WorldTokenizerBuilder vocab =
                    io.github.t2i4j.core.world.clip.WorldClipTraining.tokenizer();
            vocab.write(clipDir);
            var clipOptions = io.github.t2i4j.core.world.clip.WorldClipTraining.Options.tiny();
            var tokOptions = new io.github.t2i4j.star.training.StarWorldTokenizerTraining.Options(32, 4, 32,
                    java.util.List.of(1, 1, 1, 1), 1, java.util.List.of(1, 2, 3, 4), 1.0, 2,
                    new TrainingLoop(1, 4, 1e-3, 1, 0.0, 0, 0, 0, false), 1);
            var starOptions = new io.github.t2i4j.star.training.StarTraining.Options(32, 1, 4, 2.0,
                    io.github.t2i4j.star.model.PositionEncoding.NORMALIZED_ROPE, 0.1, 64,
                    new TrainingLoop(1, 8, 3e-3, 1, 0.05, 0, 5, 0, false), 2.0, 0.99, 0, 0);
            Path tokenizerDir = parts.resolve("vq_tokenizer");
            Path transformerDir = parts.resolve("transformer");
            try (NDManager m = NDManager.newBaseManager()) {
                Engine.getInstance().setRandomSeed(7);
                var clip = new io.github.t2i4j.core.models.clip.CLIPModel(
                        io.github.t2i4j.core.world.clip.WorldClipTraining.config(clipOptions, vocab));
                clip.initialize(m, DataType.FLOAT32);
                clip.save(clipDir, Dtype.F16);
                var vqConfig = io.github.t2i4j.star.training.StarWorldTokenizerTraining.config(tokOptions);
                var tokenizer = new io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer(vqConfig);
                tokenizer.initialize(m, DataType.FLOAT32);
                tokenizer.save(tokenizerDir, Dtype.F16);
                var model = new io.github.t2i4j.star.model.StarTransformer(
                        io.github.t2i4j.star.training.StarTraining.config(starOptions, vqConfig, 32));
                model.initialize(m, DataType.FLOAT32);
                model.save(transformerDir, Dtype.F16);
            }
            return io.github.t2i4j.star.training.StarExport.export(tokenizerDir, transformerDir, clipDir, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
