package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.tensor.NoGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.schedulers.DDPMScheduler;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TextualInversionTest {
    private static final String PLACEHOLDER = "<subject>";
    private static StableDiffusionPipeline base;
    private static List<BufferedImage> images;

    @BeforeAll
    static void setUp() {
        base = ExpertFixtures.pipeline();
        images = ExpertFixtures.instanceImages();
    }

    @AfterAll
    static void tearDown() {
        base.close();
    }

    private static TextualInversion.Options options() {
        return TextualInversion.Options.defaults(PLACEHOLDER, ExpertFixtures.CLASS)
                .withSteps(30).withLearningRate(0.05).withBatchSize(3).withSeed(3);
    }

    private static float[] initializerRow() {
        PlaceholderTextEncoder e = new PlaceholderTextEncoder(base.tokenizer(), base.textEncoder(), PLACEHOLDER);
        return e.tableRow(ExpertPrompts.singleToken(base.tokenizer(), ExpertFixtures.CLASS));
    }

    /** The mean denoising MSE on the instance images with {@code row} as the placeholder's embedding. */
    private static double instanceLoss(float[] row) {
        return NoGrad.run(() -> {
            try (NDManager m = NDManager.newBaseManager();
                    InstanceLatents latents = new InstanceLatents(base.vae(), images, ExpertFixtures.SIZE, m)) {
                PlaceholderTextEncoder e = new PlaceholderTextEncoder(base.tokenizer(), base.textEncoder(), PLACEHOLDER);
                String p = options().instancePrompt();
                NDArray context = e.encode(m, List.of(p, p, p), new LearnedEmbedding(PLACEHOLDER, row).row(m));
                DenoisingLoss objective = new DenoisingLoss(new DDPMScheduler(base.scheduler().config()));
                double sum = 0;
                for (int k = 0; k < 6; k++) {
                    SplittableRandom rng = new SplittableRandom(2000 + k);
                    NDArray x = latents.sample(new int[] {0, 1, 2}, rng, m);
                    sum += objective.mse(base.unet(), x, context, 3, rng, m)[0].getFloat();
                }
                return sum / 6;
            }
        });
    }

    @Test
    void theInitializerRowInThePlaceholdersPlaceEncodesAsTheClassNoun() {
        try (NDManager m = NDManager.newBaseManager()) {
            PlaceholderTextEncoder e = new PlaceholderTextEncoder(base.tokenizer(), base.textEncoder(), PLACEHOLDER);
            float[] viaPlaceholder = e.encode(m, List.of("a red " + PLACEHOLDER + " on the left"),
                    new LearnedEmbedding(PLACEHOLDER, initializerRow()).row(m)).toFloatArray();
            float[] plain = base.encode(m, List.of("a red circle on the left")).toFloatArray();
            assertArrayEquals(plain, viaPlaceholder, 1e-6f);
            // every occurrence is one position: BOS <subject> and <subject> EOS
            PlaceholderTextEncoder.Tokens t = e.tokenize(List.of(PLACEHOLDER + " and " + PLACEHOLDER));
            assertArrayEquals(new boolean[] {false, true, false, true, false}, Arrays.copyOf(t.placeholder()[0], 5));
            assertEquals(base.tokenizer().eosTokenId(), t.ids()[0][4]);
        }
    }

    @Test
    void learningChangesOnlyTheNewRowAndLowersTheLoss() {
        Map<String, float[]> text = ExpertFixtures.snapshot(base.textEncoder().model());
        Map<String, float[]> unet = ExpertFixtures.snapshot(base.unet());
        float[] init = initializerRow();
        TextualInversion.Result r = TextualInversion.learn(base, images, options());
        float[] learned = r.embedding().vector();
        assertEquals(PLACEHOLDER, r.embedding().placeholder());
        assertEquals(init.length, learned.length);
        assertFalse(Arrays.equals(init, learned));
        double before = instanceLoss(init);
        double after = instanceLoss(learned);
        assertTrue(after < 0.99 * before, "instance loss " + before + " -> " + after);
        Map<String, float[]> textAfter = ExpertFixtures.snapshot(base.textEncoder().model());
        Map<String, float[]> unetAfter = ExpertFixtures.snapshot(base.unet());
        text.forEach((n, v) -> assertArrayEquals(v, textAfter.get(n), n));
        unet.forEach((n, v) -> assertArrayEquals(v, unetAfter.get(n), n));
        // the base models' gradient flags are back as they were
        assertTrue(base.unet().namedParameters().get("conv_in.weight").getArray().hasGradient());
        // same options, same row
        assertArrayEquals(learned, TextualInversion.learn(base, images, options()).embedding().vector());
    }

    @Test
    void saveLoadRoundTripGivesIdenticalGenerations(@TempDir Path dir) {
        TextualInversion.Result r = TextualInversion.learn(base, images, options().withSteps(5));
        Path file = dir.resolve("learned_embeds.safetensors");
        r.embedding().save(file);
        LearnedEmbedding loaded = LearnedEmbedding.load(file);
        assertEquals(r.embedding(), loaded);
        GenerationRequest req = GenerationRequest.builder("a " + PLACEHOLDER + " on a white background")
                .steps(3).seed(4).build();
        List<int[]> a;
        List<int[]> b;
        try (StableDiffusionPipeline p = TextualInversion.pipeline(base, r.embedding())) {
            a = ExpertFixtures.pixels(p.generate(req).images());
        }
        try (StableDiffusionPipeline p = TextualInversion.pipeline(base, loaded)) {
            b = ExpertFixtures.pixels(p.generate(req).images());
        }
        assertArrayEquals(a.get(0), b.get(0));
        // and the placeholder is not ignored: the class noun alone generates something else
        List<int[]> plain = ExpertFixtures.pixels(base.generate(GenerationRequest.builder(
                "a circle on a white background").steps(3).seed(4).build()).images());
        assertFalse(Arrays.equals(a.get(0), plain.get(0)));
    }
}
