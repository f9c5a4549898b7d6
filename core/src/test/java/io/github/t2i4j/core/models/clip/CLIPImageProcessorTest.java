package io.github.t2i4j.core.models.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonParser;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CLIPImageProcessorTest {

    @Test
    void worldProcessorUsesImagesInMinusOneToOneAsTheyAre() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPImageProcessor p = CLIPImageProcessor.world();
            assertTrue(p.isIdentity());
            NDArray images = m.randomUniform(-1f, 1f, new Shape(2, 3, 4, 4));
            assertSame(images, p.preprocess(images));
        }
    }

    @Test
    void openaiProcessorNormalisesZeroToOnePixelsWithClipMeanAndStd() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPImageProcessor p = CLIPImageProcessor.openai();
            assertFalse(p.isIdentity());
            // one pixel per channel: black (-1), mid grey (0) and white (1) in the [-1, 1] convention
            NDArray images = m.create(new float[] {-1f, 0f, 1f}, new Shape(1, 3, 1, 1));
            float[] got = p.preprocess(images).toFloatArray();
            double[] mean = CLIPImageProcessor.OPENAI_CLIP_MEAN;
            double[] std = CLIPImageProcessor.OPENAI_CLIP_STD;
            float[] expected = {
                (float) ((0.0 - mean[0]) / std[0]), (float) ((0.5 - mean[1]) / std[1]), (float) ((1.0 - mean[2]) / std[2])
            };
            assertArrayEquals(expected, got, 1e-5f);
        }
    }

    @Test
    void withoutNormalisationPixelValuesAreZeroToOne() {
        try (NDManager m = NDManager.newBaseManager()) {
            CLIPImageProcessor p = CLIPImageProcessor.fromJson(
                    JsonParser.parseString("{\"do_normalize\": false}").getAsJsonObject());
            NDArray images = m.create(new float[] {-1f, 0f, 1f}, new Shape(1, 3, 1, 1));
            assertArrayEquals(new float[] {0f, 0.5f, 1f}, p.preprocess(images).toFloatArray(), 1e-6f);
        }
    }

    @Test
    void readsAndWritesPreprocessorConfig(@TempDir Path dir) {
        // the keys of openai/clip-vit-base-patch32's preprocessor_config.json
        CLIPImageProcessor hf = CLIPImageProcessor.fromJson(JsonParser.parseString(
                "{\"crop_size\": 224, \"do_center_crop\": true, \"do_normalize\": true, \"do_resize\": true,"
                        + " \"feature_extractor_type\": \"CLIPFeatureExtractor\","
                        + " \"image_mean\": [0.48145466, 0.4578275, 0.40821073],"
                        + " \"image_std\": [0.26862954, 0.26130258, 0.27577711], \"resample\": 3, \"size\": 224}")
                .getAsJsonObject());
        assertArrayEquals(CLIPImageProcessor.OPENAI_CLIP_MEAN, hf.imageMean(), 0);
        CLIPImageProcessor.world().save(dir);
        CLIPImageProcessor back = CLIPImageProcessor.fromJson(dir.resolve(CLIPImageProcessor.FILE));
        assertTrue(back.isIdentity());
        assertThrows(IllegalArgumentException.class, () -> CLIPImageProcessor.fromJson(
                JsonParser.parseString("{\"image_std\": [0.5, 0, 0.5]}").getAsJsonObject()));
        assertThrows(IllegalArgumentException.class, () -> CLIPImageProcessor.fromJson(
                JsonParser.parseString("{\"image_mean\": [0.5, 0.5]}").getAsJsonObject()));
    }
}
