package io.github.t2i4j.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.io.Dtype;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.pipelines.DiffusionPipeline;
import io.github.t2i4j.core.pipelines.DiffusionPipelines;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.GenerationResult;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.world.eval.CompositionEvaluator;
import java.awt.image.BufferedImage;
import io.github.t2i4j.core.world.Category;
import io.github.t2i4j.core.world.HeldOutSet;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.clip.ClipRetrieval;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.star.StarPipeline;
import io.github.t2i4j.suti.eval.SubjectFidelity;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.model.SuTIRequest;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectPrompt;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The checkpoints committed under models/ load and do what their model cards say. */
class ShippedModelsTest {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShippedModelsTest.class);


    private static Path models() {
        for (Path p = Paths.get("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("models/world-clip"))) {
                return p.resolve("models");
            }
        }
        throw new IllegalStateException("models/world-clip not found");
    }

    @Test
    void worldClipIsSmallFp16AndRetrievesHeldOutCaptions() throws Exception {
        Path dir = models().resolve("world-clip");
        assertTrue(Files.isRegularFile(dir.resolve("MODEL_CARD.md")));
        try (SafetensorsFile f = SafetensorsFile.open(dir.resolve("model.safetensors"))) {
            assertEquals(Dtype.F16, f.info("text_projection.weight").dtype());
        }
        List<WorldExample> examples = new ArrayList<>();
        for (Category c : List.of(Category.COLOR, Category.SPATIAL)) {
            examples.addAll(HeldOutSet.load(c).subList(0, 100));
        }
        try (WorldClip clip = WorldClip.load(dir, Device.cpu());
                CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(dir);
                NDManager m = NDManager.newBaseManager()) {
            assertTrue(clip.model().parameterCount() < 10_000_000);
            ClipRetrieval.Result r = ClipRetrieval.evaluate(clip.model(), tokenizer, examples, 100, m);
            // chance is 0.01 in groups of 100
            assertTrue(r.imageToText() > 0.2, "image->text " + r.imageToText());
            assertTrue(r.textToImage() > 0.2, "text->image " + r.textToImage());
        }
    }

    /** The embedded model's text encoder is the shipped world CLIP's text tower, tensor for tensor. */
    @Test
    void worldLdmReadsTheShippedWorldClipTextTower() {
        try (SafetensorsFile te = SafetensorsFile.open(models().resolve("world-ldm/text_encoder/model.safetensors"));
                SafetensorsFile clip = SafetensorsFile.open(models().resolve("world-clip/model.safetensors"))) {
            assertFalse(te.names().isEmpty());
            for (String name : te.names()) {
                assertTrue(clip.names().contains(name), name + " is not in world-clip");
                assertEquals(clip.bytes(name), te.bytes(name), name + " differs from world-clip's");
            }
            long clipTextTensors = clip.names().stream().filter(n -> n.startsWith("text_model.")).count();
            assertEquals(clipTextTensors, te.names().size(), "every text_model tensor of world-clip");
        }
    }

    /**
     * The embedded default: a diffusers StableDiffusionPipeline folder in fp16 that the generic
     * loader reads, small, deterministic, and as good as its card says on single objects: the
     * evaluator judges at least 11 of the first 16 held-out single-object prompts all correct (13
     * measured with the shipped weights; the card reports 75.5% over all 200, below the 90% target).
     */
    @Test
    void worldLdmLoadsAsADiffusersPipelineAndDrawsSingleObjects() throws Exception {
        Path dir = models().resolve("world-ldm");
        assertTrue(Files.isRegularFile(dir.resolve("MODEL_CARD.md")));
        assertAllF16(dir, "unet/diffusion_pytorch_model.safetensors", "vae/diffusion_pytorch_model.safetensors",
                "text_encoder/model.safetensors");
        List<WorldExample> singles = HeldOutSet.load(Category.SINGLE).subList(0, 16);
        String[] prompts = singles.stream().map(WorldExample::caption).toArray(String[]::new);
        try (DiffusionPipeline pipe = DiffusionPipelines.load(dir, Device.cpu())) {
            assertInstanceOf(StableDiffusionPipeline.class, pipe);
            assertTrue(pipe.unet().parameterCount() + pipe.vae().parameterCount() < 20_000_000);
            GenerationRequest request = GenerationRequest.builder(prompts).steps(20).seed(0).build();
            GenerationResult r = pipe.generate(request);
            int correct = allCorrect(r.images(), singles);
            // 13 of 16 with the shipped weights on the development machine (13 with the previous
            // checkpoint too, 12 with the one before, which read no texture words); a margin for rounding elsewhere
            assertTrue(correct >= 11, correct + " of 16 single-object prompts all correct");
            GenerationRequest one = GenerationRequest.builder(prompts[0]).steps(20).seed(0).build();
            BufferedImage first = pipe.generate(one).images().get(0);
            BufferedImage again = pipe.generate(one).images().get(0);
            assertArrayEquals(pixels(first), pixels(again), "same seed, same pixels");
        }
    }

    /**
     * The shipped STAR model: fp16 parts, the shipped world CLIP's text tower, deterministic, and as
     * good as its card says on single objects: at least 3 of the first 16 held-out single-object
     * prompts all correct with the folder's sampling settings (5 measured; the card reports 17% over
     * all 200, far below the diffusion model).
     */
    @Test
    void starLoadsAndDrawsSingleObjects() throws Exception {
        Path dir = models().resolve("star");
        assertTrue(Files.isRegularFile(dir.resolve("MODEL_CARD.md")));
        assertAllF16(dir, "transformer/model.safetensors", "vq_tokenizer/model.safetensors",
                "text_encoder/model.safetensors");
        try (SafetensorsFile te = SafetensorsFile.open(dir.resolve("text_encoder/model.safetensors"));
                SafetensorsFile ldm = SafetensorsFile.open(models().resolve("world-ldm/text_encoder/model.safetensors"))) {
            assertEquals(ldm.names(), te.names());
            for (String name : te.names()) {
                assertEquals(ldm.bytes(name), te.bytes(name), name + " differs from the shipped text tower");
            }
        }
        List<WorldExample> singles = HeldOutSet.load(Category.SINGLE).subList(0, 16);
        List<String> prompts = singles.stream().map(WorldExample::caption).toList();
        try (StarPipeline star = StarPipeline.load(dir)) {
            int correct = allCorrect(star.generate(prompts, 0), singles);
            assertTrue(correct >= 3, correct + " of 16 single-object prompts all correct");
            List<String> one = prompts.subList(0, 1);
            assertArrayEquals(pixels(star.generate(one, 7).get(0)), pixels(star.generate(one, 7).get(0)),
                    "same seed, same pixels");
        }
    }

    /**
     * The shipped SuTI loads on the shipped world-ldm (its model_index.json names it), gives the same
     * pixels for the same request, and reads the demonstrations: over the first held-out subjects,
     * its images are closer to the subject it was shown (subject fidelity) than the same prompts
     * drawn from another subject's demonstrations are to that subject, at the folder's sampling
     * defaults (6 subjects x 4 prompts: fewer leave the difference within the noise of the measure).
     */
    @Test
    void sutiLoadsOnTheShippedBaseAndDrawsTheDemonstratedSubject() throws Exception {
        Path dir = models().resolve("suti");
        assertTrue(Files.isRegularFile(dir.resolve("MODEL_CARD.md")));
        assertAllF16(dir, "unet/diffusion_pytorch_model.safetensors");
        assertEquals(models().resolve("world-ldm").toAbsolutePath().normalize(),
                SuTIPipeline.baseFolder(dir).toAbsolutePath().normalize());
        List<Subject> subjects = SubjectCatalog.load().heldOut().subList(0, SUTI_SUBJECTS);
        Demonstrations demos = new Demonstrations(new SubjectRenderer(64, 64));
        SubjectFidelity fidelity = new SubjectFidelity();
        double own = 0;
        double other = 0;
        try (SuTIPipeline suti = SuTIPipeline.load(dir, Device.cpu())) {
            List<List<Demonstration>> shown = new ArrayList<>();
            List<List<SubjectPrompt>> asked = new ArrayList<>();
            for (Subject s : subjects) {
                java.util.SplittableRandom rng = new java.util.SplittableRandom(s.id());
                List<Demonstration> d = demos.sample(s, 4, rng);
                shown.add(d);
                asked.add(Demonstrations.newContextPrompts(s, d, SUTI_PROMPTS, rng));
            }
            for (int i = 0; i < subjects.size(); i++) {
                List<Demonstration> mine = shown.get(i);
                List<Demonstration> theirs = shown.get((i + 1) % subjects.size());
                for (SubjectPrompt p : asked.get(i)) {
                    own += fidelity.score(draw(suti, mine, p.text()), subjects.get(i)).score();
                    other += fidelity.score(draw(suti, theirs, p.text()), subjects.get(i)).score();
                }
            }
            List<Demonstration> d = shown.get(0);
            String prompt = asked.get(0).get(0).text();
            assertArrayEquals(pixels(draw(suti, d, prompt)), pixels(draw(suti, d, prompt)), "same request, same pixels");
        }
        int n = SUTI_SUBJECTS * SUTI_PROMPTS;
        LOG.info(
                "SuTI subject fidelity {} with the subject's own demonstrations, {} with another subject's", own / n, other / n);
        assertTrue(own / n > other / n + SUTI_MARGIN, String.format(
                "subject fidelity %.3f with the subject's own demonstrations, %.3f with another subject's", own / n,
                other / n));
    }

    private static final int SUTI_SUBJECTS = 6;
    private static final int SUTI_PROMPTS = 4;
    private static final double SUTI_MARGIN = 0.05;

    private static BufferedImage draw(SuTIPipeline suti, List<Demonstration> shown, String prompt) {
        SuTIRequest r = new SuTIRequest(shown.stream().map(Demonstration::image).toList(),
                shown.stream().map(Demonstration::caption).toList(), List.of(prompt), 1, SuTIRequest.DEFAULT_STEPS,
                suti.guidanceDefaults(), 0);
        return suti.generate(r).images().get(0);
    }

    /** Every tensor of each of {@code files} (relative to {@code dir}) is fp16. */
    private static void assertAllF16(Path dir, String... files) {
        for (String f : files) {
            try (SafetensorsFile w = SafetensorsFile.open(dir.resolve(f))) {
                for (String name : w.names()) {
                    assertEquals(Dtype.F16, w.info(name).dtype(), f + " " + name);
                }
            }
        }
    }

    /** How many of {@code images} the evaluator judges all correct for their examples' prompts. */
    private static int allCorrect(List<BufferedImage> images, List<WorldExample> examples) {
        CompositionEvaluator judge = new CompositionEvaluator();
        int correct = 0;
        for (int i = 0; i < examples.size(); i++) {
            correct += judge.evaluate(images.get(i), examples.get(i).prompt()).allCorrect() ? 1 : 0;
        }
        return correct;
    }

    private static int[] pixels(BufferedImage img) {
        return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
    }
}
