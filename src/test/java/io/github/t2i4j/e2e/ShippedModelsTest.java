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
import io.github.t2i4j.suti.experts.ExpertEvaluation;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.model.SuTIRequest;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
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
     * pixels for the same request, and reads the demonstrations: on the evaluation's tasks (the first
     * 10 held-out subjects x 6 new-context prompts, seed 0, the folder's sampling defaults), its images
     * are closer to the subject it was shown (subject fidelity) than the same prompts drawn from the
     * next subject's demonstrations are. Measured: 0.181 against 0.150 (with seed 1: 0.153 against
     * 0.131); the checkpoint before scored 0.154 against 0.120. Fewer images leave the difference
     * within the noise of the measure.
     */
    @Test
    void sutiLoadsOnTheShippedBaseAndDrawsTheDemonstratedSubject() throws Exception {
        Path dir = models().resolve("suti");
        assertTrue(Files.isRegularFile(dir.resolve("MODEL_CARD.md")));
        assertAllF16(dir, "unet/diffusion_pytorch_model.safetensors");
        assertEquals(models().resolve("world-ldm").toAbsolutePath().normalize(),
                SuTIPipeline.baseFolder(dir).toAbsolutePath().normalize());
        List<Subject> subjects = SubjectCatalog.load().heldOut().subList(0, SUTI_SUBJECTS);
        double own;
        double other;
        try (SuTIPipeline suti = SuTIPipeline.load(dir, Device.cpu())) {
            ExpertEvaluation.Options o = new ExpertEvaluation.Options(ExpertEvaluation.Method.SUTI, 4, SUTI_PROMPTS,
                    SuTIRequest.DEFAULT_STEPS, 7.5f, 0, null, null, suti, suti.guidanceDefaults());
            own = ExpertEvaluation.run(suti.base(), subjects, o, null).mean(ExpertEvaluation.SubjectResult::subjectFidelity);
            other = ExpertEvaluation.run(suti.base(), subjects, o.withMethod(ExpertEvaluation.Method.SUTI_OTHER_DEMOS), null)
                    .mean(ExpertEvaluation.SubjectResult::subjectFidelity);
            ExpertEvaluation.Task task = ExpertEvaluation.task(subjects.get(0), suti.size(), o);
            String prompt = task.asked().get(0).text();
            assertArrayEquals(pixels(draw(suti, task.shown(), prompt)), pixels(draw(suti, task.shown(), prompt)),
                    "same request, same pixels");
        }
        LOG.info("SuTI subject fidelity {} with the subject's own demonstrations, {} with the next subject's", own, other);
        assertTrue(own > other + SUTI_MARGIN, String.format(
                "subject fidelity %.3f with the subject's own demonstrations, %.3f with the next subject's", own, other));
    }

    private static final int SUTI_SUBJECTS = 10;
    private static final int SUTI_PROMPTS = 6;
    private static final double SUTI_MARGIN = 0.015;

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
