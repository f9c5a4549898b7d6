package io.github.t2i4j.suti.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.models.unet.UNet2DConditionConfig;
import io.github.t2i4j.core.models.unet.UNet2DConditionModel;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuTIPipelineTest {
    private static final String PROMPT = "show the circle large and at the top right on a beige background";
    private static StableDiffusionPipeline base;
    private static NDManager manager;
    private static List<Demonstration> demos;
    private static List<Demonstration> otherDemos;

    @BeforeAll
    static void setUp() {
        base = TinyBase.load();
        manager = NDManager.newBaseManager();
        Demonstrations d = new Demonstrations(new SubjectRenderer(TinyBase.SIZE, TinyBase.SIZE));
        SubjectCatalog catalog = SubjectCatalog.load();
        demos = d.sample(catalog.heldOut().get(0), 3, new SplittableRandom(1));
        otherDemos = d.sample(catalog.heldOut().get(1), 3, new SplittableRandom(1));
    }

    @AfterAll
    static void tearDown() {
        manager.close();
        base.close();
    }

    /** A SuTI UNet on the base's weights: fresh, or with random output projections as if trained. */
    private static SuTIUNet suti(boolean trained) {
        SuTIUNet s = SuTIUNet.fromBase(UNet2DConditionModel.fromPretrained(TinyBase.dir().resolve("unet"), manager),
                SuTIConfig.defaults(), 3);
        if (trained) {
            long seed = 50;
            for (Map.Entry<String, Parameter> e : s.neighborParameters().entrySet()) {
                if (e.getKey().contains("to_out")) {
                    Shape shape = e.getValue().getArray().getShape();
                    e.getValue().getArray().set(TestArrays.gaussian(manager, seed++, shape.getShape()).toFloatArray());
                }
            }
        }
        return s;
    }

    private static SuTIRequest request(List<Demonstration> d) {
        return SuTIRequest.of(d.stream().map(Demonstration::image).toList(), d.stream().map(Demonstration::caption).toList(),
                PROMPT).withSteps(3).withImagesPerPrompt(2).withSeed(5);
    }

    private static List<int[]> pixels(GenerationResult r) {
        List<int[]> out = new ArrayList<>();
        for (BufferedImage i : r.images()) {
            out.add(i.getRGB(0, 0, i.getWidth(), i.getHeight(), null, 0, i.getWidth()));
        }
        return out;
    }

    private static int maxChannelDiff(List<int[]> a, List<int[]> b) {
        int max = 0;
        for (int i = 0; i < a.size(); i++) {
            for (int p = 0; p < a.get(i).length; p++) {
                for (int shift = 0; shift <= 16; shift += 8) {
                    max = Math.max(max, Math.abs(((a.get(i)[p] >> shift) & 0xFF) - ((b.get(i)[p] >> shift) & 0xFF)));
                }
            }
        }
        return max;
    }

    @Test
    void aFreshSuTIDrawsWhatTheBaseDrawsUnderEitherGuidance() {
        try (SuTIPipeline pipe = new SuTIPipeline(base, suti(false))) {
            // text guidance at every step: e(x, empty, demos) is the base's unconditional prediction
            GenerationResult text = pipe.generate(request(demos).withGuidance(new InterleavedGuidance(4f, 3f, 1)));
            GenerationResult cfg = base.generate(GenerationRequest.builder(PROMPT).imagesPerPrompt(2).steps(3)
                    .guidanceScale(4f).seed(5).build());
            assertEquals(2, text.images().size());
            assertEquals(TinyBase.SIZE, text.images().get(0).getWidth());
            assertTrue(maxChannelDiff(pixels(cfg), pixels(text)) <= 1, "text-guided: " + maxChannelDiff(pixels(cfg), pixels(text)));
            // demonstration guidance at every step: with no effect of the demonstrations it is the plain prediction
            GenerationResult demo = pipe.generate(request(demos).withGuidance(new InterleavedGuidance(4f, 3f, 0)));
            GenerationResult plain = base.generate(GenerationRequest.builder(PROMPT).imagesPerPrompt(2).steps(3)
                    .guidanceScale(1f).seed(5).build());
            assertTrue(maxChannelDiff(pixels(plain), pixels(demo)) <= 1, "demo-guided: " + maxChannelDiff(pixels(plain), pixels(demo)));
        }
    }

    @Test
    void severalPromptsAreDrawnPromptIFromSeedPlusIAsASingleRequestWould() {
        try (SuTIPipeline pipe = new SuTIPipeline(base, suti(true))) {
            String other = "show the circle small and at the bottom left on a white background";
            SuTIRequest r = request(demos).withImagesPerPrompt(1);
            GenerationResult both = pipe.generate(r.withPrompts(List.of(PROMPT, other)));
            assertEquals(List.of(PROMPT, other), both.prompts());
            assertEquals(List.of(5L, 6L), both.seeds());
            // image 0: the single request's prompt, seed and guidance schedule
            GenerationResult first = pipe.generate(r);
            assertTrue(maxChannelDiff(pixels(first), List.of(pixels(both).get(0))) <= 1);
            // image 1 answers the other prompt from seed 6 (the schedule is the batch's, drawn from seed 5)
            GenerationResult second = pipe.generate(r.withSeed(6).withPrompts(List.of(other)));
            assertFalse(Arrays.equals(pixels(both).get(0), pixels(both).get(1)));
            assertEquals(6L, second.seeds().get(0));
            assertThrows(IllegalArgumentException.class, () -> r.withPrompts(List.of()));
            // two images of each of two prompts: prompt by prompt, seeds 5 to 8
            GenerationResult four = pipe.generate(r.withPrompts(List.of(PROMPT, other)).withImagesPerPrompt(2));
            assertEquals(List.of(PROMPT, PROMPT, other, other), four.prompts());
            assertEquals(List.of(5L, 6L, 7L, 8L), four.seeds());
        }
    }

    @Test
    void theSameRequestGivesTheSamePixelsAndSeedAndDemonstrationsMatter() {
        try (SuTIPipeline pipe = new SuTIPipeline(base, suti(true))) {
            SuTIRequest r = request(demos);
            List<int[]> a = pixels(pipe.generate(r));
            List<int[]> b = pixels(pipe.generate(r));
            for (int i = 0; i < a.size(); i++) {
                assertArrayEquals(a.get(i), b.get(i));
            }
            assertFalse(Arrays.equals(a.get(0), a.get(1)), "image i draws from seed + i");
            assertFalse(Arrays.equals(a.get(0), pixels(pipe.generate(r.withSeed(6))).get(0)));
            assertFalse(Arrays.equals(a.get(0), pixels(pipe.generate(request(otherDemos))).get(0)),
                    "a trained SuTI reads the demonstrations");
            // the first image of a two-image request is the one-image request of the same seed
            assertArrayEquals(a.get(0), pixels(pipe.generate(r.withImagesPerPrompt(1))).get(0));
        }
    }

    @Test
    void loadsFromTheTwoFoldersAndRefusesAnotherBase(@TempDir Path tmp) {
        SuTIUNet trained = suti(true);
        trained.save(tmp.resolve("suti"), null);
        List<int[]> borrowed;
        try (SuTIPipeline pipe = new SuTIPipeline(base, trained)) {
            borrowed = pixels(pipe.generate(request(demos)));
        }
        try (SuTIPipeline loaded = SuTIPipeline.load(TinyBase.dir(), tmp.resolve("suti"), Engine.getInstance().defaultDevice())) {
            List<int[]> fromFolders = pixels(loaded.generate(request(demos)));
            for (int i = 0; i < borrowed.size(); i++) {
                assertArrayEquals(borrowed.get(i), fromFolders.get(i));
            }
        }
        JsonObject c = TinyBase.unetConfig(32);
        JsonArray channels = new JsonArray();
        channels.add(16);
        channels.add(16);
        c.add("block_out_channels", channels);
        Engine.getInstance().setRandomSeed(1);
        UNet2DConditionModel other = new UNet2DConditionModel(UNet2DConditionConfig.fromJson(c));
        other.initialize(manager, DataType.FLOAT32);
        SuTIUNet foreign = SuTIUNet.fromBase(other, SuTIConfig.defaults(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SuTIPipeline(base, foreign));
        assertTrue(e.getMessage().contains("another base model"), e.getMessage());
    }

    @Test
    void aSuTIModelFolderNamesItsBaseAndSamplingAndLoadsEitherWay(@TempDir Path tmp) throws Exception {
        SuTIUNet trained = suti(true);
        Path folder = tmp.resolve("models/suti");
        trained.save(folder.resolve(SuTIPipeline.UNET), null);
        InterleavedGuidance g = new InterleavedGuidance(4f, 2f, 0.25);
        SuTIPipeline.writeIndex(folder, TinyBase.dir(), g);
        assertTrue(SuTIPipeline.isSuTIFolder(folder));
        assertFalse(SuTIPipeline.isSuTIFolder(TinyBase.dir()), "a Stable Diffusion folder is no SuTI folder");
        assertEquals(TinyBase.dir().toAbsolutePath().normalize(), SuTIPipeline.baseFolder(folder).toAbsolutePath().normalize());
        List<int[]> borrowed;
        try (SuTIPipeline pipe = new SuTIPipeline(base, trained)) {
            borrowed = pixels(pipe.generate(request(demos).withGuidance(g)));
        }
        try (SuTIPipeline own = SuTIPipeline.load(folder, Engine.getInstance().defaultDevice());
                SuTIPipeline onBase = SuTIPipeline.load(folder, base)) {
            assertEquals(g, own.guidanceDefaults());
            assertEquals(g, onBase.guidanceDefaults());
            for (SuTIPipeline p : List.of(own, onBase)) {
                List<int[]> got = pixels(p.generate(request(demos).withGuidance(p.guidanceDefaults())));
                for (int i = 0; i < borrowed.size(); i++) {
                    assertArrayEquals(borrowed.get(i), got.get(i));
                }
            }
        }
        // the borrowed base outlives the pipeline that borrowed it
        assertEquals(1, base.generate(GenerationRequest.builder(PROMPT).steps(2).build()).images().size());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SuTIPipeline.load(TinyBase.dir(), Engine.getInstance().defaultDevice()));
        assertTrue(e.getMessage().contains("not a SuTI model folder"), e.getMessage());
    }

    @Test
    void badRequestsAreRefused() {
        List<BufferedImage> images = demos.stream().map(Demonstration::image).toList();
        assertThrows(IllegalArgumentException.class, () -> SuTIRequest.of(List.of(), List.of(), PROMPT));
        assertThrows(IllegalArgumentException.class, () -> SuTIRequest.of(images, List.of("a circle"), PROMPT));
        assertThrows(IllegalArgumentException.class,
                () -> SuTIRequest.of(images, demos.stream().map(Demonstration::caption).toList(), PROMPT).withSteps(0));
    }
}
