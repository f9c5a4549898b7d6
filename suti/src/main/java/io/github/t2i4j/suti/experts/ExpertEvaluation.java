package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.suti.eval.ClipImageSimilarity;
import io.github.t2i4j.suti.eval.SubjectFidelity;
import io.github.t2i4j.suti.eval.TextFidelity;
import io.github.t2i4j.suti.model.InterleavedGuidance;
import io.github.t2i4j.suti.model.SuTIPipeline;
import io.github.t2i4j.suti.model.SuTIRequest;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectPrompt;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DreamBench's protocol for the per-subject baselines on the bundled world's subjects: for each
 * subject, {@code demonstrations} demonstrations (image and caption) are the expert's training set
 * (captions with the identifier before the class noun for DreamBooth, the placeholder in place of
 * the class noun for Textual Inversion); the expert then draws {@code prompts} new-context prompts
 * (contexts no demonstration shows), marked the same way, and each image is judged by subject
 * fidelity (DINO's role), text fidelity (CLIP-T's) and, when a world CLIP is given, CLIP-I against
 * the demonstrations. Seconds per subject count the expert's whole cost (prior images, encoding,
 * fine-tuning) and, separately, generation: every method draws a subject's prompts in one batch,
 * prompt i from the noise of seed {@code seed + i}. SuTI runs the same tasks with the plain captions and
 * prompts and no per-subject cost but its own sampling (demonstration encoding included).
 */
public final class ExpertEvaluation {
    private static final Logger LOG = LoggerFactory.getLogger(ExpertEvaluation.class);

    private ExpertEvaluation() {}

    /**
     * Which method: a per-subject expert, SuTI (no per-subject tuning), the base model on the plain
     * prompts (no subject information beyond the class noun: the floor every method should rise
     * above), or SuTI shown the next subject's demonstrations instead of the subject's own (a control:
     * the part of SuTI's subject fidelity that does not come from reading the demonstrations).
     */
    public enum Method { DREAMBOOTH, TEXTUAL_INVERSION, SUTI, BASE, SUTI_OTHER_DEMOS }

    /**
     * @param method the expert
     * @param demonstrations training images per subject (3 to 5)
     * @param prompts new-context prompts per subject
     * @param samplingSteps sampling steps per image
     * @param guidance classifier-free guidance scale (the experts')
     * @param seed seed of the demonstrations, the prompts and the sampling (per subject: seed ^ id)
     * @param dreamBooth DreamBooth settings (identifier; the class noun is each subject's)
     * @param textualInversion Textual Inversion settings (placeholder; the initializer is each subject's noun)
     * @param suti the SuTI pipeline (on the same base) for {@link Method#SUTI} and {@link
     *     Method#SUTI_OTHER_DEMOS}; null otherwise
     * @param sutiGuidance SuTI's interleaved guidance
     */
    public record Options(Method method, int demonstrations, int prompts, int samplingSteps, float guidance, long seed,
            DreamBooth.Options dreamBooth, TextualInversion.Options textualInversion, SuTIPipeline suti,
            InterleavedGuidance sutiGuidance) {
        public Options {
            if ((method == Method.SUTI || method == Method.SUTI_OTHER_DEMOS) && (suti == null || sutiGuidance == null)) {
                throw new IllegalArgumentException("the " + method + " method needs a SuTI pipeline and its guidance");
            }
        }

        /** The same settings for another method. */
        public Options withMethod(Method m) {
            return new Options(m, demonstrations, prompts, samplingSteps, guidance, seed, dreamBooth, textualInversion,
                    suti, sutiGuidance);
        }

        /** The same settings with another SuTI pipeline (an ablation, say). */
        public Options withSuTI(SuTIPipeline p) {
            return new Options(method, demonstrations, prompts, samplingSteps, guidance, seed, dreamBooth,
                    textualInversion, p, sutiGuidance);
        }
    }

    /**
     * One subject's evaluation task: the demonstrations shown and the new-context prompts asked,
     * the same for every method with the same options.
     */
    public record Task(Subject subject, List<Demonstration> shown, List<SubjectPrompt> asked) {}

    /** The task of {@code subject} at image size {@code size} under {@code o}'s seed and counts. */
    public static Task task(Subject subject, int size, Options o) {
        SplittableRandom rng = new SplittableRandom(o.seed() ^ subject.id());
        List<Demonstration> shown = new Demonstrations(new SubjectRenderer(size, size)).sample(subject, o.demonstrations(), rng);
        return new Task(subject, shown, Demonstrations.newContextPrompts(subject, shown, o.prompts(), rng));
    }

    /**
     * One subject's scores (means over its prompts).
     *
     * @param expertSeconds the expert's whole cost (DreamBooth: prior images plus fine-tuning)
     * @param generationSeconds drawing the prompts' images
     * @param copyRate share of images that show a demonstration's context (position, size and
     *     background all as in one demonstration) instead of the prompt's: copying, not recontextualising
     * @param clipI NaN without a world CLIP
     */
    public record SubjectResult(int subjectId, double expertSeconds, double generationSeconds, double subjectFidelity,
            double subjectPassRate, double textFidelity, double copyRate, double clipI) {
        /** The whole wall time of a new subject: the expert (none for SuTI) and the prompts' images. */
        public double totalSeconds() {
            return expertSeconds + generationSeconds;
        }
    }

    /**
     * Per-subject results and their means; {@code images.get(i)} are subject i's generated images,
     * one per prompt of its {@link Task}.
     *
     * @param name the row's name in tables: the method's, or the model's where two of one method are compared
     */
    public record Report(String name, Method method, List<SubjectResult> subjects, List<List<BufferedImage>> images) {
        /** The same results under another name. */
        public Report named(String n) {
            return new Report(n, method, subjects, images);
        }

        public double mean(ToDoubleFunction<SubjectResult> f) {
            return subjects.stream().mapToDouble(f).average().orElse(Double.NaN);
        }

        /** One Markdown table row of the means: method, subjects, fidelities, seconds per subject. */
        public String markdownRow() {
            return String.format(java.util.Locale.ROOT, "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.1f | %.1f |",
                    name, subjects.size(), mean(SubjectResult::subjectFidelity), mean(SubjectResult::subjectPassRate),
                    mean(SubjectResult::textFidelity), mean(SubjectResult::copyRate), mean(SubjectResult::clipI), mean(SubjectResult::expertSeconds),
                    mean(SubjectResult::generationSeconds), mean(SubjectResult::totalSeconds));
        }

        /** The header {@link #markdownRow()} fits under. */
        public static String markdownHeader() {
            return "| method | subjects | subject fidelity | passes (0.65) | text fidelity | copies a demonstration | CLIP-I"
                    + " | expert s/subject | generation s/subject | total s/subject |\n|---|---|---|---|---|---|---|---|---|---|";
        }
    }

    /**
     * Runs the protocol over {@code subjects} with {@code base} (its native image size); {@code clip}
     * may be null (no CLIP-I). For {@link Method#SUTI} the base supplies nothing but the image size:
     * SuTI draws with its own pipeline from the plain captions and prompts.
     */
    public static Report run(StableDiffusionPipeline base, List<Subject> subjects, Options o, ClipImageSimilarity clip) {
        int size = base.defaultSize();
        SubjectFidelity subjectFidelity = new SubjectFidelity();
        TextFidelity textFidelity = new TextFidelity();
        List<SubjectResult> out = new ArrayList<>();
        List<List<BufferedImage>> allImages = new ArrayList<>();
        if (o.method() == Method.SUTI_OTHER_DEMOS && subjects.size() < 2) {
            throw new IllegalArgumentException("SuTI with another subject's demonstrations needs at least two subjects");
        }
        for (int index = 0; index < subjects.size(); index++) {
            Subject s = subjects.get(index);
            Task task = task(s, size, o);
            List<Demonstration> shown = task.shown();
            List<SubjectPrompt> asked = task.asked();
            List<BufferedImage> images = shown.stream().map(Demonstration::image).toList();
            String noun = s.noun();
            List<BufferedImage> generated = new ArrayList<>();
            double expertSeconds;
            long g0;
            switch (o.method()) {
                case DREAMBOOTH -> {
                    DreamBooth.Options d = o.dreamBooth().withSubject(o.dreamBooth().identifier(), noun);
                    List<String> captions = shown.stream()
                            .map(x -> ExpertPrompts.withIdentifier(x.caption(), noun, d.identifier())).toList();
                    try (DreamBooth.Expert e = DreamBooth.fineTune(base, images, captions, d);
                            StableDiffusionPipeline p = e.pipeline()) {
                        expertSeconds = e.seconds();
                        g0 = System.nanoTime();
                        generate(p, asked, x -> ExpertPrompts.withIdentifier(x, noun, d.identifier()), o, generated);
                    }
                }
                case TEXTUAL_INVERSION -> {
                    TextualInversion.Options t = o.textualInversion().withInitializer(noun);
                    List<String> captions = shown.stream()
                            .map(x -> ExpertPrompts.replaceNoun(x.caption(), noun, t.placeholder())).toList();
                    TextualInversion.Result r = TextualInversion.learn(base, images, captions, t);
                    expertSeconds = r.seconds();
                    try (StableDiffusionPipeline p = TextualInversion.pipeline(base, r.embedding())) {
                        g0 = System.nanoTime();
                        generate(p, asked, x -> ExpertPrompts.replaceNoun(x, noun, t.placeholder()), o, generated);
                    }
                }
                case SUTI, SUTI_OTHER_DEMOS -> {
                    if (o.method() == Method.SUTI_OTHER_DEMOS) {
                        // the next subject's task's demonstrations, the prompts of this one, judged against this subject
                        shown = task(subjects.get((index + 1) % subjects.size()), size, o).shown();
                    }
                    expertSeconds = 0;
                    g0 = System.nanoTime();
                    SuTIRequest r = new SuTIRequest(shown.stream().map(Demonstration::image).toList(),
                            shown.stream().map(Demonstration::caption).toList(),
                            asked.stream().map(SubjectPrompt::text).toList(), 1, o.samplingSteps(), o.sutiGuidance(),
                            o.seed());
                    generated.addAll(o.suti().generate(r).images());
                }
                case BASE -> {
                    expertSeconds = 0;
                    g0 = System.nanoTime();
                    generate(base, asked, x -> x, o, generated);
                }
                default -> throw new IllegalStateException("unknown method " + o.method());
            }
            double generationSeconds = (System.nanoTime() - g0) / 1e9;
            double sf = 0;
            double pass = 0;
            double tf = 0;
            double copies = 0;
            for (int i = 0; i < generated.size(); i++) {
                SubjectFidelity.Result r = subjectFidelity.score(generated.get(i), s);
                sf += r.score();
                pass += r.passed() ? 1 : 0;
                tf += textFidelity.evaluate(generated.get(i), asked.get(i).context()).score();
                copies += copiesADemonstration(textFidelity, generated.get(i), shown) ? 1 : 0;
            }
            int n = generated.size();
            double clipI = Double.NaN;
            if (clip != null) {
                double[] c = clip.scores(generated, images);
                clipI = java.util.Arrays.stream(c).average().orElse(Double.NaN);
            }
            SubjectResult r = new SubjectResult(s.id(), expertSeconds, generationSeconds, sf / n, pass / n, tf / n,
                    copies / n, clipI);
            LOG.info("{} subject {}: {}", o.method(), s.id(), r);
            out.add(r);
            allImages.add(List.copyOf(generated));
        }
        return new Report(o.method().name(), o.method(), out, allImages);
    }

    /**
     * Whether {@code image} shows one of the demonstrations' contexts (position, size and background
     * all met): for a prompt that asks for a context no demonstration shows, a copy of a
     * demonstration rather than the subject recontextualised.
     */
    public static boolean copiesADemonstration(TextFidelity judge, BufferedImage image, List<Demonstration> shown) {
        return shown.stream().anyMatch(d -> judge.evaluate(image, d.context()).allMet());
    }

    private static void generate(StableDiffusionPipeline p, List<SubjectPrompt> asked,
            java.util.function.UnaryOperator<String> mark, Options o, List<BufferedImage> out) {
        String[] prompts = asked.stream().map(x -> mark.apply(x.text())).toArray(String[]::new);
        GenerationRequest r = GenerationRequest.builder(prompts)
                .steps(o.samplingSteps()).guidanceScale(o.guidance()).seed(o.seed()).build();
        out.addAll(p.generate(r).images());
    }
}
