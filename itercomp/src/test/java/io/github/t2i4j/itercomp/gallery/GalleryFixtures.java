package io.github.t2i4j.itercomp.gallery;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.AutoencoderKLConfig;
import io.github.t2i4j.core.text.WorldTokenizerBuilder;
import io.github.t2i4j.core.training.TrainingLoop;
import io.github.t2i4j.core.world.clip.WorldClipTraining;
import io.github.t2i4j.core.world.ldm.LdmExport;
import io.github.t2i4j.core.world.ldm.UNetTraining;
import io.github.t2i4j.core.world.ldm.VaeTraining;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A tiny world pipeline with seeded random weights, laid out as {@code models/world-ldm} (64x64
 * images, 16x16x4 latents, a world-CLIP text encoder of width 32, an SD-layout UNet with
 * transformers at the two lower levels and the mid block), built once per JVM.
 */
public final class GalleryFixtures {
    private GalleryFixtures() {}

    private static Path pipeline;

    /** The tiny pipeline folder (model_index.json, unet/, vae/, text_encoder/, tokenizer/, scheduler/). */
    public static synchronized Path tinyPipeline() {
        if (pipeline != null) {
            return pipeline;
        }
        try {
            Path root = Files.createTempDirectory("gallery-fixtures");
            Path clipDir = root.resolve("world-clip");
            WorldTokenizerBuilder vocab = WorldClipTraining.tokenizer();
            vocab.write(clipDir);
            Path vaeDir = root.resolve("vae");
            Path unetDir = root.resolve("unet");
            try (NDManager m = NDManager.newBaseManager()) {
                Engine.getInstance().setRandomSeed(11);
                CLIPModel clip = new CLIPModel(WorldClipTraining.config(
                        WorldClipTraining.Options.tiny(), vocab));
                clip.initialize(m, DataType.FLOAT32);
                clip.save(clipDir, Dtype.F16);
                AutoencoderKLConfig vaeConfig = VaeTraining.config(new VaeTraining.Options(List.of(8, 8, 16), 1, 4, 4,
                        1e-6, 0.0, 0.0, new TrainingLoop(1, 2, 1e-3, 1, 0.0, 3, 0, 0, false), 8, 1));
                AutoencoderKL vae = new AutoencoderKL(vaeConfig);
                vae.initialize(m, DataType.FLOAT32);
                vae.save(vaeDir, Dtype.F16);
                UNet2DConditionModel unet = new UNet2DConditionModel(UNetTraining.config(
                        new UNetTraining.Options(List.of(16, 32, 32), 1, List.of(false, true, true), 2, 8, 0.1, 0,
                                new TrainingLoop(1, 2, 1e-3, 1, 0.01, 5, 2, 0, false), 0.999, 0, 0),
                        vaeConfig, 32));
                unet.initialize(m, DataType.FLOAT32);
                unet.save(unetDir, Dtype.F16);
            }
            pipeline = LdmExport.export(vaeDir, unetDir, clipDir, root.resolve("world-ldm"));
            return pipeline;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bundled world CLIP folder (models/world-clip above the working directory). */
    public static Path worldClip() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("models/world-clip/config.json"))) {
                return dir.resolve("models/world-clip");
            }
        }
        throw new IllegalStateException("models/world-clip not found above " + Path.of("").toAbsolutePath());
    }
}
