package io.github.t2i4j.core.world.ldm;

import ai.djl.ndarray.NDManager;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.CheckpointException;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.io.TensorInfo;
import io.github.t2i4j.core.models.clip.CLIPConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.schedulers.DPMSolverMultistepScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Assembles the trained parts into one diffusers {@code StableDiffusionPipeline} directory, the
 * layout {@link io.github.t2i4j.core.pipelines.DiffusionPipelines#load} (and diffusers) read:
 *
 * <pre>
 * model_index.json
 * vae/           config.json (with the measured scaling_factor), diffusion_pytorch_model.safetensors
 * unet/          config.json, diffusion_pytorch_model.safetensors (the EMA weights)
 * text_encoder/  config.json (CLIPTextModel), model.safetensors (the world CLIP's text_model.* only)
 * tokenizer/     tokenizer.json, tokenizer_config.json, special_tokens_map.json
 * scheduler/     scheduler_config.json (DPM-Solver++ 2M on the training betas)
 * training/      the training logs and plots of the VAE and the UNet, when present
 * </pre>
 *
 * All weights are fp16 safetensors. The default sampler is DPM-Solver++ 2M ({@value
 * #DEFAULT_STEPS} steps suffice for it on a 1000-step epsilon-prediction model); {@code
 * clip_sample} and {@code set_alpha_to_one} are written as false so that choosing DDIM or DDPM
 * from this config never clips latents (diffusers' DDIM/DDPM defaults would).
 */
public final class LdmExport {
    private static final Logger LOG = LoggerFactory.getLogger(LdmExport.class);

    /** The pipeline class written to {@code model_index.json}. */
    public static final String PIPELINE_CLASS = "StableDiffusionPipeline";
    /** Sampling steps the shipped scheduler is meant for. */
    public static final int DEFAULT_STEPS = 20;
    /** The text tower's weights inside a transformers CLIPModel checkpoint. */
    static final String TEXT_PREFIX = "text_model.";
    /** The tokenizer files copied from the CLIP folder, when present. */
    static final List<String> TOKENIZER_FILES = List.of(
            "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "vocab.json", "merges.txt");

    private LdmExport() {}

    /**
     * Writes the pipeline directory from a trained VAE folder ({@link VaeTraining}), a trained
     * UNet folder ({@link UNetTraining}) and the world CLIP folder (transformers CLIPModel layout
     * with its tokenizer). Weights are re-stored as fp16 where they are not already.
     *
     * @return {@code pipelineDir}
     */
    public static Path export(Path vaeDir, Path unetDir, Path worldClipDir, Path pipelineDir) throws IOException {
        Files.createDirectories(pipelineDir);
        copyComponent(vaeDir, pipelineDir.resolve("vae"), AutoencoderKL.WEIGHTS_FILE);
        copyComponent(unetDir, pipelineDir.resolve("unet"), UNet2DConditionModel.WEIGHTS_FILE);
        writeTextEncoder(worldClipDir, pipelineDir.resolve("text_encoder"));
        writeTokenizer(worldClipDir, pipelineDir.resolve("tokenizer"));
        Path scheduler = pipelineDir.resolve("scheduler");
        Files.createDirectories(scheduler);
        writeJson(schedulerConfig(), scheduler.resolve("scheduler_config.json"));
        writeJson(modelIndex(), pipelineDir.resolve("model_index.json"));
        Path training = pipelineDir.resolve("training");
        copyLogs(vaeDir, training, "vae_");
        copyLogs(unetDir, training, "unet_");
        LOG.info("wrote the latent-diffusion pipeline {}", pipelineDir);
        return pipelineDir;
    }

    /**
     * {@code model_index.json} of a StableDiffusionPipeline without safety checker or feature
     * extractor. The tokenizer is a fast-only (tokenizer.json) one, so its class is transformers'
     * {@code PreTrainedTokenizerFast}, as the folder's tokenizer_config.json says.
     */
    public static JsonObject modelIndex() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", PIPELINE_CLASS);
        o.addProperty("_diffusers_version", "0.25.1");
        o.add("feature_extractor", pair(null, null));
        o.add("image_encoder", pair(null, null));
        o.addProperty("requires_safety_checker", false);
        o.add("safety_checker", pair(null, null));
        o.add("scheduler", pair("diffusers", DPMSolverMultistepScheduler.CLASS_NAME));
        o.add("text_encoder", pair("transformers", "CLIPTextModel"));
        o.add("tokenizer", pair("transformers", "PreTrainedTokenizerFast"));
        o.add("unet", pair("diffusers", "UNet2DConditionModel"));
        o.add("vae", pair("diffusers", "AutoencoderKL"));
        return o;
    }

    /**
     * The shipped {@code scheduler_config.json}: DPM-Solver++ 2M over the noise schedule the UNet
     * was trained with ({@link UNetTraining#noiseSchedule()}).
     */
    public static JsonObject schedulerConfig() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", DPMSolverMultistepScheduler.CLASS_NAME);
        o.addProperty("_diffusers_version", "0.25.1");
        JsonObject betas = UNetTraining.noiseSchedule();
        for (String k : betas.keySet()) {
            if (!k.startsWith("_")) {
                o.add(k, betas.get(k));
            }
        }
        o.addProperty("algorithm_type", "dpmsolver++");
        o.addProperty("solver_order", 2);
        o.addProperty("solver_type", "midpoint");
        o.addProperty("lower_order_final", true);
        o.addProperty("use_karras_sigmas", false);
        o.addProperty("timestep_spacing", "linspace");
        o.addProperty("steps_offset", 0);
        o.addProperty("thresholding", false);
        // carried over when a user picks DDIM/DDPM from this config: never clip latents
        o.addProperty("clip_sample", false);
        o.addProperty("set_alpha_to_one", false);
        return o;
    }

    /**
     * Writes the text tower of a transformers CLIPModel folder as a {@code CLIPTextModel} folder:
     * {@code config.json} (the CLIP config's text_config, architectures CLIPTextModel) and {@code
     * model.safetensors} holding only the {@code text_model.*} tensors, in fp16 (fp16 tensors are
     * copied bit for bit).
     */
    public static void writeTextEncoder(Path clipDir, Path outDir) {
        CLIPConfig clip = CLIPConfig.fromJson(clipDir.resolve("config.json"));
        JsonObject cfg = CLIPConfig.textConfigJson(clip.textConfig());
        JsonArray arch = new JsonArray();
        arch.add("CLIPTextModel");
        cfg.add("architectures", arch);
        cfg.addProperty("torch_dtype", "float16");
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + outDir, e);
        }
        writeJson(cfg, outDir.resolve("config.json"));
        Path weights = clipDir.resolve("model.safetensors");
        if (!Files.isRegularFile(weights)) {
            throw new CheckpointException("no model.safetensors in CLIP folder " + clipDir);
        }
        int n = 0;
        try (SafetensorsFile in = SafetensorsFile.open(weights);
                NDManager m = NDManager.newBaseManager()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (String name : in.names()) {
                if (!name.startsWith(TEXT_PREFIX)) {
                    continue;
                }
                TensorInfo t = in.info(name);
                if (t.dtype() == Dtype.F16 || !isFloat(t.dtype())) {
                    ByteBuffer raw = in.bytes(name);
                    w.add(name, t.dtype(), t.shape().getShape(), raw);
                } else {
                    w.add(name, in.load(name, m), Dtype.F16);
                }
                n++;
            }
            if (n == 0) {
                throw new CheckpointException(weights + " has no " + TEXT_PREFIX + "* tensors: not a CLIPModel checkpoint");
            }
            w.write(outDir.resolve("model.safetensors"));
        }
        LOG.debug("text encoder: {} tensors from {} to {}", n, clipDir, outDir);
    }

    /** Copies the tokenizer files of {@code clipDir} ({@link #TOKENIZER_FILES} that exist) into {@code outDir}. */
    public static void writeTokenizer(Path clipDir, Path outDir) throws IOException {
        Files.createDirectories(outDir);
        if (!Files.isRegularFile(clipDir.resolve("tokenizer.json"))) {
            throw new CheckpointException("no tokenizer.json in " + clipDir);
        }
        for (String f : TOKENIZER_FILES) {
            Path src = clipDir.resolve(f);
            if (Files.isRegularFile(src)) {
                Files.copy(src, outDir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    /** Copies config.json and the weights (as fp16) of a diffusers component folder. */
    private static void copyComponent(Path src, Path dst, String weightsFile) throws IOException {
        Path config = src.resolve("config.json");
        Path weights = src.resolve(weightsFile);
        if (!Files.isRegularFile(config) || !Files.isRegularFile(weights)) {
            throw new CheckpointException(src + " needs config.json and " + weightsFile);
        }
        Files.createDirectories(dst);
        Files.copy(config, dst.resolve("config.json"), StandardCopyOption.REPLACE_EXISTING);
        try (SafetensorsFile in = SafetensorsFile.open(weights);
                NDManager m = NDManager.newBaseManager()) {
            SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
            for (String name : in.names()) {
                TensorInfo t = in.info(name);
                if (t.dtype() == Dtype.F16 || !isFloat(t.dtype())) {
                    w.add(name, t.dtype(), t.shape().getShape(), in.bytes(name));
                } else {
                    w.add(name, in.load(name, m), Dtype.F16);
                }
            }
            w.write(dst.resolve(weightsFile));
        }
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

    private static boolean isFloat(Dtype d) {
        return d == Dtype.F16 || d == Dtype.F32 || d == Dtype.F64 || d == Dtype.BF16;
    }

    private static JsonArray pair(String library, String cls) {
        JsonArray a = new JsonArray();
        a.add(library == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(library));
        a.add(cls == null ? JsonNull.INSTANCE : new com.google.gson.JsonPrimitive(cls));
        return a;
    }

    static void writeJson(JsonObject o, Path file) {
        try {
            Files.writeString(file, new GsonBuilder().setPrettyPrinting().serializeNulls().create().toJson(o) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
