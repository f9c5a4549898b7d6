package io.github.t2i4j.examples;

import ai.djl.Device;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.io.JsonFiles;
import io.github.t2i4j.core.pipelines.DiffusionGenerator;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.star.StarPipeline;
import java.nio.file.Path;

/**
 * Opens a model folder as a {@link TextToImageGenerator} by what its {@code model_index.json}
 * says: a {@link StarPipeline} folder, or any diffusers pipeline (SD, SDXL, the embedded model).
 */
final class Generators {
    private Generators() {}

    /** The {@code _class_name} of the folder's model_index.json. */
    static String className(Path dir) {
        JsonObject index = JsonFiles.readObject(dir.resolve("model_index.json"), "model index");
        JsonElement cls = index.get("_class_name");
        return cls == null ? "" : cls.getAsString();
    }

    /** Whether {@code dir} is a STAR model folder. */
    static boolean isStar(Path dir) {
        return StarPipeline.CLASS_NAME.equals(className(dir));
    }

    /**
     * The generator of {@code dir}. A diffusion pipeline samples with {@code steps}, {@code
     * guidance} and {@code scheduler} (null: the model's); STAR with its folder's sampling settings
     * and {@code guidance} as its CFG scale when not null (steps and scheduler do not apply).
     */
    static TextToImageGenerator open(Path dir, String device, int steps, Float guidance, String scheduler) {
        if (isStar(dir)) {
            StarPipeline star = StarPipeline.load(dir, Device.fromName(device));
            return guidance == null ? star : new StarGenerator(star, star.samplingDefaults().withCfg(guidance));
        }
        return new DiffusionGenerator(dir.getFileName().toString(), DiffusionPipelines.load(dir, Device.fromName(device)),
                steps, guidance == null ? 7.5f : guidance, scheduler);
    }

    /** A STAR pipeline with other sampling settings than its folder's defaults. */
    private record StarGenerator(StarPipeline pipeline, io.github.t2i4j.star.sample.SamplingOptions options)
            implements TextToImageGenerator {
        @Override
        public String name() {
            return pipeline.name();
        }

        @Override
        public java.util.List<java.awt.image.BufferedImage> generate(java.util.List<String> prompts, long seed) {
            return pipeline.generate(prompts, options.withSeed(seed));
        }

        @Override
        public void close() {
            pipeline.close();
        }
    }
}
