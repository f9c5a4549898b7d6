package io.github.t2i4j.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.github.t2i4j.core.Golden;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.pipelines.StableDiffusionXLPipeline;
import io.github.t2i4j.examples.TinyPipelines;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads tiny diffusers-format SD and SDXL directories assembled from the golden parts through the
 * same code path as a downloaded checkpoint, and checks what a user relies on: image count and
 * size, same seed same pixels, and that the negative prompt, the guidance scale and the scheduler
 * each change the result.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PipelineEndToEndTest {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineEndToEndTest.class);
    private static final String PROMPT = "a red circle to the left of a blue square";

    @TempDir static Path tmp;
    private DiffusionPipeline sd;
    private DiffusionPipeline sdxl;

    @BeforeAll
    void load() {
        Path tokenizer = repoPath("core/src/test/resources/tiny-clip-tokenizer");
        sd = DiffusionPipelines.load(TinyPipelines.stableDiffusion(Golden.root(), tokenizer, tmp.resolve("sd")), Device.cpu());
        sdxl = DiffusionPipelines.load(TinyPipelines.stableDiffusionXL(Golden.root(), tokenizer, tmp.resolve("sdxl")), Device.cpu());
    }

    @AfterAll
    void close() {
        sd.close();
        sdxl.close();
    }

    private static Path repoPath(String relative) {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(relative))) {
                return p.resolve(relative);
            }
        }
        throw new IllegalStateException(relative + " not found above " + Paths.get("").toAbsolutePath());
    }

    private static GenerationRequest.Builder request() {
        return GenerationRequest.builder(PROMPT).steps(4).seed(7);
    }

    @Test
    void loadsTheRightPipelineClasses() {
        assertInstanceOf(StableDiffusionPipeline.class, sd);
        assertInstanceOf(StableDiffusionXLPipeline.class, sdxl);
        assertEquals(64, sd.defaultSize());
    }

    @Test
    void stableDiffusionGeneratesDeterministically() {
        checkPipeline(sd, "sd");
    }

    @Test
    void stableDiffusionXLGeneratesDeterministically() {
        checkPipeline(sdxl, "sdxl");
    }

    private void checkPipeline(DiffusionPipeline pipe, String name) {
        GenerationResult a = pipe.generate(request().imagesPerPrompt(2).build());
        LOG.info("{}: 2 images in {} s (text {}, denoise {}, decode {})", name, a.totalSeconds(),
                a.textSeconds(), a.denoiseSeconds(), a.decodeSeconds());
        assertEquals(2, a.images().size());
        assertEquals(64, a.images().get(0).getWidth());
        assertEquals(64, a.images().get(0).getHeight());
        assertEquals(java.util.List.of(7L, 8L), a.seeds());

        GenerationResult again = pipe.generate(request().imagesPerPrompt(2).build());
        assertEquals(0, maxPixelDiff(a.images().get(0), again.images().get(0)), name + ": same seed, same pixels");
        assertEquals(0, maxPixelDiff(a.images().get(1), again.images().get(1)), name + ": same seed, same pixels");
        assertTrue(maxPixelDiff(a.images().get(0), a.images().get(1)) > 0, name + ": different seeds differ");

        // image i of a batch is the single run with seed + i (up to float rounding of batching)
        GenerationResult second = pipe.generate(request().seed(8).build());
        assertTrue(maxPixelDiff(a.images().get(1), second.images().get(0)) <= 2, name + ": batch item = single run");

        BufferedImage base = pipe.generate(request().build()).images().get(0);
        BufferedImage negative = pipe.generate(request().negativePrompt("a green triangle").build()).images().get(0);
        assertTrue(maxPixelDiff(base, negative) > 0, name + ": the negative prompt changes the image");
        BufferedImage unguided = pipe.generate(request().guidanceScale(1f).build()).images().get(0);
        assertTrue(maxPixelDiff(base, unguided) > 0, name + ": guidance changes the image");
        BufferedImage otherPrompt = pipe.generate(GenerationRequest.builder("a yellow star").steps(4).seed(7).build()).images().get(0);
        assertTrue(maxPixelDiff(base, otherPrompt) > 0, name + ": the prompt changes the image");
    }

    @Test
    void theDenoisingLoopDoesNotGrowNativeMemory() {
        for (DiffusionPipeline pipe : new DiffusionPipeline[] {sd, sdxl}) {
            ai.djl.ndarray.NDManager root =
                    pipe.unet().namedParameters().values().iterator().next().getArray().getManager();
            int before = root.getManagedArrays().size();
            int[] live = new int[41];
            for (String scheduler : new String[] {"dpm++2m", "ddpm"}) {
                pipe.generate(request().steps(40).scheduler(scheduler).build(),
                        (step, total) -> live[step] = root.getManagedArrays().size());
                assertEquals(live[5], live[40], scheduler + ": live arrays at step 5 vs step 40");
                assertEquals(before, root.getManagedArrays().size(), scheduler + ": live arrays after generate");
            }
        }
    }

    @Test
    void everySchedulerRunsAndTheyDiffer() {
        BufferedImage previous = null;
        for (String s : new String[] {"ddim", "euler", "dpm++2m", "ddpm"}) {
            GenerationResult r = sd.generate(request().scheduler(s).build());
            assertEquals(1, r.images().size(), s);
            if (previous != null) {
                assertTrue(maxPixelDiff(previous, r.images().get(0)) > 0, s + " differs from the previous scheduler");
            }
            previous = r.images().get(0);
        }
    }

    @Test
    void badRequestsAreRejectedClearly() {
        IllegalArgumentException size =
                assertThrows(IllegalArgumentException.class, () -> sd.generate(request().size(63, 64).build()));
        assertTrue(size.getMessage().contains("63"), size.getMessage());
        IllegalArgumentException sched =
                assertThrows(IllegalArgumentException.class, () -> sd.generate(request().scheduler("plms-turbo").build()));
        assertTrue(sched.getMessage().contains("plms-turbo") && sched.getMessage().contains("euler"), sched.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GenerationRequest.builder(PROMPT).steps(0).build());
    }

    @Test
    void aNonPipelineDirectoryIsRejectedClearly() {
        Exception e = assertThrows(RuntimeException.class, () -> DiffusionPipelines.load(tmp, Device.cpu()));
        assertTrue(e.getMessage().contains("model_index.json"), e.getMessage());
    }

    @Test
    void aTokenizerLongerThanTheEncoderIsCappedToIt() throws Exception {
        Path dir = TinyPipelines.stableDiffusion(
                Golden.root(), repoPath("core/src/test/resources/tiny-clip-tokenizer"), tmp.resolve("sd-long-tokenizer"));
        Path config = dir.resolve("tokenizer/tokenizer_config.json");
        com.google.gson.JsonObject o = com.google.gson.JsonParser.parseString(Files.readString(config)).getAsJsonObject();
        o.addProperty("model_max_length", 77); // the encoder's position table has 16
        Files.writeString(config, o.toString());
        try (DiffusionPipeline pipe = DiffusionPipelines.load(dir, Device.cpu())) {
            String longPrompt = String.join(" ", java.util.Collections.nCopies(30, "red circle"));
            assertEquals(1, pipe.generate(GenerationRequest.builder(longPrompt).steps(2).build()).images().size());
        }
    }

    @Test
    void otherSizesWork() {
        GenerationResult r = sd.generate(request().size(96, 32).build());
        assertEquals(96, r.images().get(0).getWidth());
        assertEquals(32, r.images().get(0).getHeight());
    }

    private static int maxPixelDiff(BufferedImage a, BufferedImage b) {
        assertEquals(a.getWidth(), b.getWidth());
        assertEquals(a.getHeight(), b.getHeight());
        int max = 0;
        for (int y = 0; y < a.getHeight(); y++) {
            for (int x = 0; x < a.getWidth(); x++) {
                int p = a.getRGB(x, y);
                int q = b.getRGB(x, y);
                for (int s = 0; s < 24; s += 8) {
                    max = Math.max(max, Math.abs(((p >> s) & 0xFF) - ((q >> s) & 0xFF)));
                }
            }
        }
        return max;
    }
}
