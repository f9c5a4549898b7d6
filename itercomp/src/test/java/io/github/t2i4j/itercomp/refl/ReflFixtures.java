package io.github.t2i4j.itercomp.refl;

import io.github.t2i4j.core.tensor.Scalars;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.StateDict;
import io.github.t2i4j.core.models.clip.CLIPConfig;
import io.github.t2i4j.core.models.clip.CLIPVisionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.nn.Module;
import io.github.t2i4j.core.pipelines.Conditioning;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import io.github.t2i4j.core.schedulers.SchedulerConfig;
import io.github.t2i4j.core.tensor.Noise;
import io.github.t2i4j.core.text.CLIPTextConfig;
import io.github.t2i4j.core.text.CLIPTextModelWithProjection;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.itercomp.gallery.GalleryFixtures;
import io.github.t2i4j.itercomp.reward.RewardModel;
import io.github.t2i4j.itercomp.reward.RewardModelConfig;
import java.nio.file.Path;
import java.util.List;

/** Tiny models for the ReFL tests: the golden diffusers weights, or seeded random ones. */
final class ReflFixtures {
    private ReflFixtures() {}

    /** diffusers' tiny SD-layout UNet with its reference weights (cross-attention width 32). */
    static UNet2DConditionModel goldenUnet(NDManager m) {
        return load(new UNet2DConditionModel(UNet2DConditionConfig.fromJson(Golden.config("unet_sd"))), "unet_sd", m);
    }

    /** diffusers' tiny AutoencoderKL with its reference weights (latent factor 2). */
    static AutoencoderKL goldenVae(NDManager m) {
        return load(new AutoencoderKL(AutoencoderKLConfig.fromJson(Golden.config("vae"))), "vae", m);
    }

    private static <M extends Module> M load(M model, String name, NDManager m) {
        Path dir = Golden.dir(name);
        try (SafetensorsFile w = SafetensorsFile.open(dir.resolve("weights.safetensors"))) {
            StateDict.loadFresh(model, w, m, DataType.FLOAT32);
        }
        return model;
    }

    /** A small SD-layout UNet (16/32 channels, one layer per block), seeded random weights. */
    static UNet2DConditionModel tinyUnet(NDManager m, int seed, int contextWidth) {
        JsonObject c = new JsonObject();
        c.addProperty("sample_size", 8);
        c.addProperty("in_channels", 4);
        c.addProperty("out_channels", 4);
        c.add("down_block_types", strings("CrossAttnDownBlock2D", "DownBlock2D"));
        c.add("up_block_types", strings("UpBlock2D", "CrossAttnUpBlock2D"));
        JsonArray ch = new JsonArray();
        ch.add(16);
        ch.add(32);
        c.add("block_out_channels", ch);
        c.addProperty("layers_per_block", 1);
        c.addProperty("attention_head_dim", 8);
        c.addProperty("cross_attention_dim", contextWidth);
        c.addProperty("norm_num_groups", 8);
        Engine.getInstance().setRandomSeed(seed);
        UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(c));
        unet.initialize(m, DataType.FLOAT32);
        return unet;
    }

    /** A small AutoencoderKL (8/16 channels, latent factor 2), seeded random weights. */
    static AutoencoderKL tinyVae(NDManager m, int seed) {
        JsonObject c = new JsonObject();
        c.addProperty("in_channels", 3);
        c.addProperty("out_channels", 3);
        c.addProperty("latent_channels", 4);
        c.add("down_block_types", strings("DownEncoderBlock2D", "DownEncoderBlock2D"));
        c.add("up_block_types", strings("UpDecoderBlock2D", "UpDecoderBlock2D"));
        JsonArray ch = new JsonArray();
        ch.add(8);
        ch.add(16);
        c.add("block_out_channels", ch);
        c.addProperty("layers_per_block", 1);
        c.addProperty("norm_num_groups", 4);
        c.addProperty("sample_size", 16);
        Engine.getInstance().setRandomSeed(seed);
        AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.fromJson(c));
        vae.initialize(m, DataType.FLOAT32);
        return vae;
    }

    private static JsonArray strings(String... s) {
        JsonArray a = new JsonArray();
        for (String x : s) {
            a.add(x);
        }
        return a;
    }

    /** Stable Diffusion's DDPM schedule (scaled-linear betas, epsilon prediction, no sample clipping). */
    static DDPMScheduler ddpm() {
        JsonObject o = new JsonObject();
        o.addProperty("_class_name", DDPMScheduler.CLASS_NAME);
        o.addProperty("num_train_timesteps", 1000);
        o.addProperty("beta_start", 0.00085);
        o.addProperty("beta_end", 0.012);
        o.addProperty("beta_schedule", "scaled_linear");
        o.addProperty("prediction_type", "epsilon");
        o.addProperty("clip_sample", false);
        o.addProperty("steps_offset", 1);
        return new DDPMScheduler(SchedulerConfig.fromJson(o));
    }

    /** A stand-in text encoder: a fixed [1, 4, width] Gaussian context per prompt (seeded by its text). */
    static PromptBatch.TextConditioner hashedContext(int width) {
        return (m, prompts) -> {
            NDList rows = new NDList();
            for (String p : prompts) {
                rows.add(Noise.gaussian(m, p.hashCode(), new Shape(1, 4, width)));
            }
            return new Conditioning(NDArrays.concat(rows), null);
        };
    }

    /** "Redness": the mean of the red channel minus the mean of green and blue, per image. */
    static final Reward REDNESS = (images, prompts) -> {
        NDArray perChannel = images.reshape(images.getShape().get(0), 3, -1).mean(new int[] {2});
        return perChannel.get(new NDIndex(":, 0")).sub(
                Scalars.mul(perChannel.get(new NDIndex(":, 1")).add(perChannel.get(new NDIndex(":, 2"))), 0.5f));
    };

    /** diffusers' tiny quick-GELU CLIP text encoder (width 32) with its reference weights. */
    static CLIPTextModelWithProjection goldenTextEncoder(NDManager m) {
        return load(new CLIPTextModelWithProjection(CLIPTextConfig.fromJson(Golden.config("clip_text_quickgelu"))),
                "clip_text_quickgelu", m);
    }

    /** The tiny CLIP tokenizer of core's tests (1000 tokens, 16 positions). */
    static CLIPTokenizer tinyTokenizer() {
        return CLIPTokenizer.fromPretrained(Golden.root().getParent().resolve("resources/tiny-clip-tokenizer"), 16);
    }

    /** The bundled world CLIP folder (models/world-clip above the working directory). */
    static Path worldClip() {
        return GalleryFixtures.worldClip();
    }

    static CLIPTokenizer worldTokenizer() {
        return CLIPTokenizer.fromPretrained(worldClip());
    }

    /** A randomly initialised reward model on the world CLIP's vision layout (64 px, width 128), one text layer. */
    static RewardModel tinyRewardModel(NDManager m, CLIPTokenizer tokenizer) {
        CLIPConfig clip = CLIPConfig.fromJson(worldClip().resolve("config.json"));
        CLIPVisionConfig v = clip.visionConfig();
        RewardModelConfig c = new RewardModelConfig(v.hiddenSize(), 2 * v.hiddenSize(), 1, 4,
                clip.textConfig().vocabSize(), tokenizer.modelMaxLength(), v, 0.7, 0.0, 1.0, null);
        Engine.getInstance().setRandomSeed(3);
        RewardModel model = new RewardModel(c);
        model.initialize(m, DataType.FLOAT32);
        return model;
    }

    static List<String> prompts() {
        return List.of("a red circle", "a red square", "a red triangle");
    }
}
