package io.github.t2i4j.suti.model;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import io.github.t2i4j.core.world.clip.WorldClipTraining;
import io.github.t2i4j.core.world.ldm.LdmExport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A tiny base pipeline folder in the {@code models/world-ldm} layout, written once per JVM: a
 * seeded random world CLIP text tower (width 32, the world tokenizer), a seeded random VAE (16 px
 * images, 8x8x4 latents) and a seeded random SD-layout UNet (16/32 channels: cross-attention at 8x8,
 * the mid block's transformer at 4x4 with width 32, cross-attention in the last up block),
 * exported with {@link LdmExport} (fp16 weights, DPM-Solver++ 2M).
 */
public final class TinyBase {
    /** Image side in pixels. */
    public static final int SIZE = 16;

    private static Path dir;

    private TinyBase() {}

    /** The folder (created on first use, in a temporary folder deleted when the JVM exits). */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                Path tmp = Files.createTempDirectory("suti-tiny-base");
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(tmp)));
                dir = write(tmp);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dir;
    }

    private static void delete(Path root) {
        try (var files = Files.walk(root)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary folder
        }
    }

    /** The base pipeline loaded from {@link #dir()} on the CPU; close it after use. */
    public static StableDiffusionPipeline load() {
        return (StableDiffusionPipeline) DiffusionPipelines.load(dir(), Engine.getInstance().defaultDevice());
    }

    private static Path write(Path tmp) throws IOException {
        Path clipDir = tmp.resolve("clip");
        WorldTokenizerBuilder vocab = WorldClipTraining.tokenizer();
        vocab.write(clipDir);
        WorldClipTraining.Options o = WorldClipTraining.Options.tiny();
        try (NDManager m = NDManager.newBaseManager()) {
            Engine.getInstance().setRandomSeed(21);
            CLIPModel clip = new CLIPModel(WorldClipTraining.config(o, vocab));
            clip.initialize(m, DataType.FLOAT32);
            clip.save(clipDir, Dtype.F16);

            Engine.getInstance().setRandomSeed(22);
            AutoencoderKL vae = new AutoencoderKL(AutoencoderKLConfig.fromJson(vaeConfig()));
            vae.initialize(m, DataType.FLOAT32);
            vae.save(tmp.resolve("vae"), Dtype.F16);

            Engine.getInstance().setRandomSeed(23);
            UNet2DConditionModel unet = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(unetConfig(32)));
            unet.initialize(m, DataType.FLOAT32);
            unet.save(tmp.resolve("unet"), Dtype.F16);
        }
        return LdmExport.export(tmp.resolve("vae"), tmp.resolve("unet"), clipDir, tmp.resolve("base"));
    }

    static JsonObject vaeConfig() {
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
        return c;
    }

    /** The tiny UNet's configuration for a text encoder of width {@code crossAttentionDim}. */
    public static JsonObject unetConfig(int crossAttentionDim) {
        JsonObject c = new JsonObject();
        c.addProperty("sample_size", SIZE / 2);
        c.addProperty("in_channels", 4);
        c.addProperty("out_channels", 4);
        c.add("down_block_types", strings("CrossAttnDownBlock2D", "DownBlock2D"));
        c.add("up_block_types", strings("UpBlock2D", "CrossAttnUpBlock2D"));
        c.add("block_out_channels", ints(16, 32));
        c.addProperty("layers_per_block", 1);
        c.addProperty("attention_head_dim", 2);
        c.addProperty("cross_attention_dim", crossAttentionDim);
        c.addProperty("norm_num_groups", 8);
        return c;
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
