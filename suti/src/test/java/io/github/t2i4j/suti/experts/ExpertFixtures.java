package io.github.t2i4j.suti.experts;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Parameter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.TextEncoder;
import io.github.t2i4j.core.schedulers.DDIMScheduler;
import io.github.t2i4j.core.schedulers.SchedulerConfig;
import io.github.t2i4j.core.schedulers.Schedulers;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny SD pipeline for the expert tests: a seeded random SD-layout UNet (8x8 latents, 16/32
 * channels), a seeded random AutoencoderKL (16 px images, latent factor 2), diffusers' tiny
 * quick-GELU CLIP text encoder with its reference weights (width 32) and core's tiny word-level
 * tokenizer (16 positions), SD's noise schedule with DDIM sampling.
 */
final class ExpertFixtures {
    static final int SIZE = 16;
    /** A single token of the tiny tokenizer that the test captions never use. */
    static final String IDENTIFIER = "wizard";
    static final String CLASS = "circle";

    private ExpertFixtures() {}

    static StableDiffusionPipeline pipeline() {
        NDManager m = NDManager.newBaseManager();
        CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(
                Golden.root().getParent().resolve("resources/tiny-clip-tokenizer"), 16);
        CLIPTextModelWithProjection text =
                new CLIPTextModelWithProjection(CLIPTextConfig.fromJson(Golden.config("clip_text_quickgelu")));
        try (SafetensorsFile w = SafetensorsFile.open(Golden.dir("clip_text_quickgelu").resolve("weights.safetensors"))) {
            StateDict.loadFresh(text, w, m, DataType.FLOAT32);
        }
        return new StableDiffusionPipeline(m, tokenizer, TextEncoder.of(text), unet(m), vae(m),
                Schedulers.fromConfig(schedule(DDIMScheduler.CLASS_NAME)));
    }

    private static UNet2DConditionModel unet(NDManager m) {
        JsonObject c = new JsonObject();
        c.addProperty("sample_size", SIZE / 2);
        c.addProperty("in_channels", 4);
        c.addProperty("out_channels", 4);
        c.add("down_block_types", strings("CrossAttnDownBlock2D", "DownBlock2D"));
        c.add("up_block_types", strings("UpBlock2D", "CrossAttnUpBlock2D"));
        c.add("block_out_channels", ints(16, 32));
        c.addProperty("layers_per_block", 1);
        c.addProperty("attention_head_dim", 8);
        c.addProperty("cross_attention_dim", 32);
        c.addProperty("norm_num_groups", 8);
        Engine.getInstance().setRandomSeed(11);
        UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(c));
        unet.initialize(m, DataType.FLOAT32);
        return unet;
    }

    private static AutoencoderKL vae(NDManager m) {
        JsonObject c = new JsonObject();
        c.addProperty("in_channels", 3);
        c.addProperty("out_channels", 3);
        c.addProperty("latent_channels", 4);
        c.add("down_block_types", strings("DownEncoderBlock2D", "DownEncoderBlock2D"));
        c.add("up_block_types", strings("UpDecoderBlock2D", "UpDecoderBlock2D"));
        c.add("block_out_channels", ints(8, 16));
        c.addProperty("layers_per_block", 1);
        c.addProperty("norm_num_groups", 4);
        c.addProperty("sample_size", SIZE);
        Engine.getInstance().setRandomSeed(12);
        AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.fromJson(c));
        vae.initialize(m, DataType.FLOAT32);
        return vae;
    }

    /** Stable Diffusion's schedule (scaled-linear betas, epsilon prediction). */
    static SchedulerConfig schedule(String className) {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", className);
        o.addProperty("num_train_timesteps", 1000);
        o.addProperty("beta_start", 0.00085);
        o.addProperty("beta_end", 0.012);
        o.addProperty("beta_schedule", "scaled_linear");
        o.addProperty("prediction_type", "epsilon");
        o.addProperty("clip_sample", false);
        o.addProperty("steps_offset", 1);
        return SchedulerConfig.fromJson(o);
    }

    /** Three renders of one held-out subject at 16 px on white, black and grey. */
    static List<BufferedImage> instanceImages() {
        Subject s = SubjectCatalog.load().heldOut().get(0);
        SubjectRenderer r = new SubjectRenderer(SIZE, SIZE);
        List<BufferedImage> out = new ArrayList<>();
        out.add(r.render(s, 0.5, 0.5, 0.6, Color.WHITE));
        out.add(r.render(s, 0.4, 0.6, 0.5, Color.LIGHT_GRAY));
        out.add(r.render(s, 0.6, 0.4, 0.7, new Color(0xF5F5DC)));
        return out;
    }

    /** Every parameter's values by name. */
    static Map<String, float[]> snapshot(Module model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            out.put(e.getKey(), e.getValue().getArray().toFloatArray());
        }
        return out;
    }

    /** Pixels of images as one int array per image. */
    static List<int[]> pixels(List<BufferedImage> images) {
        List<int[]> out = new ArrayList<>();
        for (BufferedImage i : images) {
            out.add(i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth()));
        }
        return out;
    }

    private static JsonArray strings(String... s) {
        JsonArray a = new JsonArray();
        for (String x : s) {
            a.add(x);
        }
        return a;
    }

    private static JsonArray ints(int... v) {
        JsonArray a = new JsonArray();
        for (int x : v) {
            a.add(x);
        }
        return a;
    }
}
