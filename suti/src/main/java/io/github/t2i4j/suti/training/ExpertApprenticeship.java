package io.github.t2i4j.suti.training;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.pipelines.GenerationRequest;
import io.github.t2i4j.core.pipelines.StableDiffusionPipeline;
import io.github.t2i4j.core.tensor.NoGrad;
import io.github.t2i4j.core.training.MicroBatch;
import io.github.t2i4j.core.training.StepMetrics;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.suti.eval.SubjectFidelity;
import io.github.t2i4j.suti.eval.TextFidelity;
import io.github.t2i4j.suti.experts.DreamBooth;
import io.github.t2i4j.suti.experts.ExpertPrompts;
import io.github.t2i4j.suti.subjects.ContextCaptions;
import io.github.t2i4j.suti.subjects.Demonstration;
import io.github.t2i4j.suti.subjects.Demonstrations;
import io.github.t2i4j.suti.subjects.Subject;
import io.github.t2i4j.suti.subjects.SubjectCatalog;
import io.github.t2i4j.suti.subjects.SubjectContext;
import io.github.t2i4j.suti.subjects.SubjectPrompt;
import io.github.t2i4j.suti.subjects.SubjectRenderer;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SuTI's apprenticeship data (arXiv 2304.00186, section 3): one DreamBooth expert per training
 * subject draws the subject in new contexts, and the best of its images become SuTI's targets. For
 * each subject, in catalog order:
 *
 * <ol>
 *   <li><b>Demonstrations</b>: {@code demonstrations} renders of the subject in varied contexts with
 *       their captions ({@link Demonstrations#sample}, as {@link WorldSubjectPairs} draws them), from
 *       the subject's generator ({@code streamSeed(seed, id, 1)}). They are the expert's training
 *       images and the examples' demonstrations (SuTI's image cluster), stored as PNGs.
 *   <li><b>Expert</b>: {@link DreamBooth#fineTune} on them, each caption with the identifier before
 *       the class noun ({@link ExpertPrompts#withIdentifier}); the settings are {@code dreamBooth}'s
 *       (by default the paper's, {@link DreamBooth.Options#defaults}) with the subject's class noun.
 *   <li><b>Prompts</b>: {@code promptsPerSubject} new-context prompts from the templates that stand
 *       in for SuTI's LLM ({@link Demonstrations#newContextPrompts}: {@link ContextCaptions#prompt}
 *       for distinct random contexts that no demonstration shows), from the same generator, so the
 *       same seed always gives the same prompts.
 *   <li><b>Targets</b>: the expert draws each prompt, marked with its identifier, with noise seed
 *       {@code streamSeed(seed, id, 2) + j} for prompt {@code j}.
 *   <li><b>Filter</b>: each image is judged by {@link SubjectFidelity} (is it this subject?) and
 *       {@link TextFidelity} (is the asked context met?), the world's stand-ins for the paper's CLIP
 *       image and text scores. The candidates that pass both come first (the paper keeps only images
 *       above both thresholds), then all are ranked by the product of the two scores (so a copy of a
 *       demonstration, good subject but wrong context, and an image of some other object, right
 *       context but wrong subject, both rank low; a single pass counts for nothing more, or an image
 *       with no trace of the subject would outrank every near miss), then by prompt order. The best {@code round(keepFraction * K)} (at least one) whose product reaches
 *       {@code minScore} are kept.
 * </ol>
 *
 * The data goes to an {@link ApprenticeshipStore} (PNGs, {@code examples.jsonl}, {@code
 * subjects.jsonl}); a finished subject is skipped when the job runs again, one interrupted midway is
 * redone from the start, and more subjects extend the data. Each expert's native memory is freed with
 * it before the next subject starts.
 */
public final class ExpertApprenticeship {
    private static final Logger LOG = LoggerFactory.getLogger(ExpertApprenticeship.class);

    /** Stream index of a subject's demonstrations and prompts. */
    static final int PROMPT_STREAM = 1;
    /** Stream index of a subject's image seeds. */
    static final int IMAGE_STREAM = 2;

    /**
     * Settings.
     *
     * @param subjects how many training subjects, the first of the catalog
     * @param demonstrations demonstrations per subject ({@value Demonstrations#MIN} to {@value Demonstrations#MAX})
     * @param promptsPerSubject K, the new-context prompts (images) per subject
     * @param keepFraction the share of the K kept, in (0, 1]
     * @param minScore the least subject-times-text fidelity a kept target needs (0: none)
     * @param samplingSteps sampling steps of the expert's images
     * @param guidance their classifier-free guidance scale
     * @param batchSize prompts per generator call
     * @param seed seed of the demonstrations, the prompts and the images
     * @param dreamBooth the expert's settings (the class noun is each subject's, the identifier {@code identifier}'s)
     * @param identifier DreamBooth's identifier; null chooses one the base's tokenizer keeps as one token
     *     ({@link #chooseIdentifier})
     */
    public record Options(int subjects, int demonstrations, int promptsPerSubject, double keepFraction, double minScore,
            int samplingSteps, float guidance, int batchSize, long seed, DreamBooth.Options dreamBooth,
            String identifier) {

        public Options {
            if (subjects < 1 || subjects > SubjectCatalog.TRAINING) {
                throw new IllegalArgumentException("subjects must be 1 to " + SubjectCatalog.TRAINING + ", got " + subjects);
            }
            if (demonstrations < Demonstrations.MIN || demonstrations > Demonstrations.MAX) {
                throw new IllegalArgumentException("demonstrations must be " + Demonstrations.MIN + " to "
                        + Demonstrations.MAX + ", got " + demonstrations);
            }
            if (promptsPerSubject < 1 || promptsPerSubject > maxPrompts(demonstrations)) {
                throw new IllegalArgumentException("prompts per subject must be 1 to " + maxPrompts(demonstrations)
                        + " (the contexts no demonstration shows), got " + promptsPerSubject);
            }
            if (!(keepFraction > 0 && keepFraction <= 1)) {
                throw new IllegalArgumentException("keepFraction must be in (0, 1], got " + keepFraction);
            }
            if (!(minScore >= 0 && minScore <= 1)) {
                throw new IllegalArgumentException("minScore must be in [0, 1], got " + minScore);
            }
            if (samplingSteps < 1 || batchSize < 1 || !Float.isFinite(guidance)) {
                throw new IllegalArgumentException("bad sampling settings: steps " + samplingSteps + ", batch "
                        + batchSize + ", guidance " + guidance);
            }
            java.util.Objects.requireNonNull(dreamBooth, "dreamBooth");
            if (identifier != null && identifier.isBlank()) {
                throw new IllegalArgumentException("a blank identifier");
            }
        }

        /**
         * All {@value SubjectCatalog#TRAINING} training subjects, 5 demonstrations, 16 prompts each, the
         * best 25% kept, 20 sampling steps at guidance 7.5 in calls of 8, seed 0, the paper's DreamBooth
         * settings ({@link DreamBooth.Options#defaults}), the identifier chosen from the tokenizer.
         */
        public static Options defaults() {
            return new Options(SubjectCatalog.TRAINING, Demonstrations.MAX, 16, 0.25, 0, 20, 7.5f, 8, 0,
                    DreamBooth.Options.defaults(ExpertPrompts.SD_IDENTIFIER, "object"), null);
        }

        public Options withSubjects(int n) {
            return new Options(n, demonstrations, promptsPerSubject, keepFraction, minScore, samplingSteps, guidance,
                    batchSize, seed, dreamBooth, identifier);
        }

        public Options withDemonstrations(int n) {
            return new Options(subjects, n, promptsPerSubject, keepFraction, minScore, samplingSteps, guidance,
                    batchSize, seed, dreamBooth, identifier);
        }

        public Options withPromptsPerSubject(int k) {
            return new Options(subjects, demonstrations, k, keepFraction, minScore, samplingSteps, guidance, batchSize,
                    seed, dreamBooth, identifier);
        }

        /** The share kept and the least score a kept target needs. */
        public Options withFilter(double fraction, double least) {
            return new Options(subjects, demonstrations, promptsPerSubject, fraction, least, samplingSteps, guidance,
                    batchSize, seed, dreamBooth, identifier);
        }

        public Options withSampling(int steps, float scale, int batch) {
            return new Options(subjects, demonstrations, promptsPerSubject, keepFraction, minScore, steps, scale, batch,
                    seed, dreamBooth, identifier);
        }

        public Options withSeed(long s) {
            return new Options(subjects, demonstrations, promptsPerSubject, keepFraction, minScore, samplingSteps,
                    guidance, batchSize, s, dreamBooth, identifier);
        }

        public Options withDreamBooth(DreamBooth.Options d) {
            return new Options(subjects, demonstrations, promptsPerSubject, keepFraction, minScore, samplingSteps,
                    guidance, batchSize, seed, d, identifier);
        }

        /** A fixed identifier (null: chosen from the tokenizer). */
        public Options withIdentifier(String id) {
            return new Options(subjects, demonstrations, promptsPerSubject, keepFraction, minScore, samplingSteps,
                    guidance, batchSize, seed, dreamBooth, id);
        }

        /** How many of the K are kept: {@code round(keepFraction * K)}, at least one. */
        public int keptPerSubject() {
            return Math.max(1, (int) Math.round(keepFraction * promptsPerSubject));
        }

        /**
         * What the data depends on, as JSON (the store's {@code settings.json}): everything but the
         * number of subjects, which a later run may raise.
         */
        public JsonObject toJson(String chosenIdentifier) {
            JsonObject o = new JsonObject();
            o.addProperty("demonstrations", demonstrations);
            o.addProperty("promptsPerSubject", promptsPerSubject);
            o.addProperty("keepFraction", keepFraction);
            o.addProperty("minScore", minScore);
            o.addProperty("samplingSteps", samplingSteps);
            o.addProperty("guidance", guidance);
            o.addProperty("seed", seed);
            o.addProperty("identifier", chosenIdentifier);
            o.add("dreamBooth", dreamBooth.settingsJson());
            return o;
        }
    }

    /** The most new-context prompts a subject with {@code demonstrations} demonstrations has. */
    public static int maxPrompts(int demonstrations) {
        return io.github.t2i4j.suti.subjects.Position.values().length
                * io.github.t2i4j.core.world.Size.values().length
                * io.github.t2i4j.core.world.Background.values().length - demonstrations;
    }

    /**
     * What a call did.
     *
     * @param subjectsDone subjects finished by this call
     * @param subjectsSkipped subjects finished before (skipped)
     * @param generated images drawn by this call
     * @param kept targets kept by this call
     * @param expertSeconds the experts' cost in this call (prior images and fine-tuning)
     * @param generationSeconds drawing the targets in this call
     * @param seconds wall time of the call
     * @param examples examples in the store after the call
     */
    public record Result(int subjectsDone, int subjectsSkipped, long generated, long kept, double expertSeconds,
            double generationSeconds, double seconds, long examples) {}

    /** Thrown when a folder holds data made with other settings than the job's (nothing is changed then). */
    public static final class OtherSettingsException extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        OtherSettingsException(String message) {
            super(message);
        }
    }

    /** The two judges' verdict on a candidate image. */
    public record Verdict(double subjectFidelity, boolean subjectPassed, double textFidelity, boolean textMet) {}

    /** Judges an expert's image of {@code subject} asked in {@code context}. */
    @FunctionalInterface
    public interface Judge {
        Verdict judge(BufferedImage image, Subject subject, SubjectContext context);

        /** {@link SubjectFidelity} and {@link TextFidelity}. */
        static Judge fidelity() {
            SubjectFidelity subjectFidelity = new SubjectFidelity();
            TextFidelity textFidelity = new TextFidelity();
            return (image, subject, context) -> {
                SubjectFidelity.Result s = subjectFidelity.score(image, subject);
                TextFidelity.Result t = textFidelity.evaluate(image, context);
                return new Verdict(s.score(), s.passed(), t.score(), t.allMet());
            };
        }
    }

    private final Options options;
    private final Judge judge;

    /** The job with the fidelity measures as the filter. */
    public ExpertApprenticeship(Options options) {
        this(options, Judge.fidelity());
    }

    /** The job with another filter (e.g. CLIP scores, as the paper's). */
    public ExpertApprenticeship(Options options, Judge judge) {
        this.options = options;
        this.judge = judge;
    }

    /** The first {@code options.subjects()} training subjects of the catalog. */
    public List<Subject> subjects() {
        return SubjectCatalog.load().training().subList(0, options.subjects());
    }

    /** Images {@link #run} still has to draw into {@code store} for {@code subjects}. */
    public long remainingImages(ApprenticeshipStore store, List<Subject> subjects) {
        return subjects.stream().filter(s -> !store.has(s.id())).count() * (long) options.promptsPerSubject();
    }

    /** {@link #run(StableDiffusionPipeline, List, ApprenticeshipStore, LongConsumer)} over {@link #subjects()}. */
    public Result run(StableDiffusionPipeline base, ApprenticeshipStore store, LongConsumer progress) {
        return run(base, subjects(), store, progress);
    }

    /**
     * Makes the data of every subject of {@code subjects} that {@code store} lacks, in order.
     *
     * @param base the base pipeline the experts are fine-tuned from (float32 weights; never changed)
     * @param progress told the number of images drawn so far in this call
     * @throws OtherSettingsException if the store was made with other settings (nothing is changed then)
     */
    public Result run(StableDiffusionPipeline base, List<Subject> subjects, ApprenticeshipStore store,
            LongConsumer progress) {
        store.checkWritable();
        long t0 = System.nanoTime();
        String identifier = options.identifier() != null ? options.identifier() : chooseIdentifier(base, subjects);
        int size = base.defaultSize();
        JsonObject settings = options.toJson(identifier);
        settings.addProperty("imageSize", size);
        checkSettings(store, settings);
        Demonstrations sampler = new Demonstrations(new SubjectRenderer(size, size));
        int done = 0;
        int skipped = 0;
        long generated = 0;
        long kept = 0;
        double expertSeconds = 0;
        double generationSeconds = 0;
        for (Subject s : subjects) {
            if (store.has(s.id())) {
                skipped++;
                continue;
            }
            long before = generated;
            ApprenticeshipStore.SubjectRecord r = subject(base, s, identifier, sampler, store,
                    n -> progress.accept(before + n));
            generated += r.generated();
            kept += r.kept();
            expertSeconds += r.expertSeconds();
            generationSeconds += r.generationSeconds();
            done++;
            LOG.info("apprenticeship: {} done ({} of {} kept, best score {}, expert {} s, generation {} s); {} examples"
                    + " in {}", s.describe(), r.kept(), r.generated(), fmt(r.candidates().stream()
                            .mapToDouble(ApprenticeshipStore.Candidate::score).max().orElse(0)),
                    fmt(r.expertSeconds()), fmt(r.generationSeconds()), store.size(), store.dir());
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        LOG.info("apprenticeship: {} subjects made, {} already there; {} images, {} kept; {} examples in {}", done,
                skipped, generated, kept, store.size(), store.dir());
        return new Result(done, skipped, generated, kept, expertSeconds, generationSeconds, seconds, store.size());
    }

    /** One subject from the start: demonstrations, expert, prompts, targets, filter, then the store's lines. */
    private ApprenticeshipStore.SubjectRecord subject(StableDiffusionPipeline base, Subject s, String identifier,
            Demonstrations sampler, ApprenticeshipStore store, LongConsumer progress) {
        SplittableRandom rng = new SplittableRandom(MicroBatch.streamSeed(options.seed(), s.id(), PROMPT_STREAM));
        List<Demonstration> demos = sampler.sample(s, options.demonstrations(), rng);
        List<SubjectPrompt> prompts = Demonstrations.newContextPrompts(s, demos, options.promptsPerSubject(), rng);
        long imageSeed = MicroBatch.streamSeed(options.seed(), s.id(), IMAGE_STREAM);

        List<ApprenticeshipStore.Demo> stored = new ArrayList<>();
        for (int i = 0; i < demos.size(); i++) {
            String file = ApprenticeshipStore.demoFile(s.id(), i);
            store.writeImage(file, demos.get(i).image());
            stored.add(new ApprenticeshipStore.Demo(file, demos.get(i).caption(), demos.get(i).context()));
        }

        String noun = s.noun();
        DreamBooth.Options d = options.dreamBooth().withSubject(identifier, noun);
        List<BufferedImage> images = demos.stream().map(Demonstration::image).toList();
        List<String> captions = demos.stream().map(x -> ExpertPrompts.withIdentifier(x.caption(), noun, identifier))
                .toList();
        List<BufferedImage> drawn = new ArrayList<>();
        double classImageSeconds;
        double fineTuneSeconds;
        double firstLoss;
        double lastLoss;
        long g0;
        try (DreamBooth.Expert expert = DreamBooth.fineTune(base, images, captions, d);
                StableDiffusionPipeline pipe = expert.pipeline()) {
            classImageSeconds = expert.classImageSeconds();
            fineTuneSeconds = expert.fineTuneSeconds();
            List<StepMetrics> m = expert.metrics();
            firstLoss = m.isEmpty() ? Double.NaN : m.get(0).loss();
            lastLoss = m.isEmpty() ? Double.NaN : m.get(m.size() - 1).loss();
            g0 = System.nanoTime();
            for (int start = 0; start < prompts.size(); start += options.batchSize()) {
                List<String> marked = prompts.subList(start, Math.min(prompts.size(), start + options.batchSize()))
                        .stream().map(p -> ExpertPrompts.withIdentifier(p.text(), noun, identifier)).toList();
                GenerationRequest request = GenerationRequest.builder(marked.toArray(String[]::new))
                        .steps(options.samplingSteps()).guidanceScale(options.guidance()).seed(imageSeed + start)
                        .build();
                drawn.addAll(NoGrad.run(() -> pipe.generate(request)).images());
                progress.accept(drawn.size());
            }
        }
        double generationSeconds = (System.nanoTime() - g0) / 1e9;

        List<ApprenticeshipStore.Candidate> candidates = new ArrayList<>();
        for (int j = 0; j < prompts.size(); j++) {
            SubjectPrompt p = prompts.get(j);
            Verdict v = judge.judge(drawn.get(j), s, p.context());
            candidates.add(new ApprenticeshipStore.Candidate(j, p.text(), p.context(), imageSeed + j, v.subjectFidelity(),
                    v.subjectPassed(), v.textFidelity(), v.textMet(), false));
        }
        List<ApprenticeshipStore.Candidate> ranked = rank(candidates);
        Set<Integer> keep = new LinkedHashSet<>();
        for (ApprenticeshipStore.Candidate c : ranked) {
            if (keep.size() < options.keptPerSubject() && c.score() >= options.minScore()) {
                keep.add(c.index());
            }
        }
        List<ApprenticeshipStore.Candidate> judged = new ArrayList<>();
        for (ApprenticeshipStore.Candidate c : candidates) {
            judged.add(new ApprenticeshipStore.Candidate(c.index(), c.prompt(), c.context(), c.seed(), c.subjectFidelity(),
                    c.subjectPassed(), c.textFidelity(), c.textMet(), keep.contains(c.index())));
        }
        List<ApprenticeshipStore.StoredExample> examples = new ArrayList<>();
        for (int r = 0; r < ranked.size(); r++) {
            int j = ranked.get(r).index();
            if (keep.contains(j)) {
                String file = ApprenticeshipStore.targetFile(s.id(), j);
                store.writeImage(file, drawn.get(j));
                examples.add(new ApprenticeshipStore.StoredExample(s.id(), judged.get(j), r, stored, file));
            }
        }
        ApprenticeshipStore.SubjectRecord record = new ApprenticeshipStore.SubjectRecord(s.id(), noun, identifier, stored,
                judged, classImageSeconds, fineTuneSeconds, generationSeconds, firstLoss, lastLoss);
        store.add(record, examples);
        return record;
    }

    /**
     * The candidates best first: both measures passed, then a higher product of the scores, then the
     * earlier prompt.
     */
    public static List<ApprenticeshipStore.Candidate> rank(List<ApprenticeshipStore.Candidate> candidates) {
        List<ApprenticeshipStore.Candidate> out = new ArrayList<>(candidates);
        out.sort(Comparator.comparing((ApprenticeshipStore.Candidate c) -> c.passes() == 2).reversed()
                .thenComparing(Comparator.comparingDouble(ApprenticeshipStore.Candidate::score).reversed())
                .thenComparingInt(ApprenticeshipStore.Candidate::index));
        return out;
    }

    /**
     * DreamBooth's identifier for the base's tokenizer: {@link ExpertPrompts#SD_IDENTIFIER} ("sks") or,
     * for the world's small vocabulary, the first of {@link ExpertPrompts#WORLD_IDENTIFIER_CANDIDATES},
     * whichever the tokenizer keeps as one known token first and that no caption, prompt or class noun uses.
     */
    public static String chooseIdentifier(StableDiffusionPipeline base, List<Subject> subjects) {
        Set<String> avoid = new LinkedHashSet<>(ContextCaptions.vocabulary());
        for (Shape shape : Shape.values()) {
            avoid.add(shape.word().toLowerCase(Locale.ROOT));
        }
        subjects.forEach(s -> avoid.add(s.noun().toLowerCase(Locale.ROOT)));
        List<String> candidates = new ArrayList<>();
        candidates.add(ExpertPrompts.SD_IDENTIFIER);
        candidates.addAll(ExpertPrompts.WORLD_IDENTIFIER_CANDIDATES);
        return ExpertPrompts.chooseIdentifier(base.tokenizer(), candidates, avoid);
    }

    private static void checkSettings(ApprenticeshipStore store, JsonObject settings) {
        // compared as read back from the file, so that numbers compare by their written form
        JsonObject wanted = JsonParser.parseString(settings.toString()).getAsJsonObject();
        JsonObject have = store.settings();
        if (have == null || store.subjects().isEmpty()) {
            if (!wanted.equals(have)) {
                store.writeSettings(wanted);
            }
            return;
        }
        if (!have.equals(wanted)) {
            List<String> differ = new ArrayList<>();
            Set<String> keys = new LinkedHashSet<>(have.keySet());
            keys.addAll(wanted.keySet());
            for (String k : keys) {
                if (!java.util.Objects.equals(have.get(k), wanted.get(k))) {
                    differ.add(k + " " + have.get(k) + " there, " + wanted.get(k) + " now");
                }
            }
            throw new OtherSettingsException(store.dir() + " was made with other settings (" + String.join("; ", differ)
                    + "); continue it with the same settings or write into another folder");
        }
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.2f", v);
    }
}
