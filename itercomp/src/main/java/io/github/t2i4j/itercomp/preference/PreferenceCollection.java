package io.github.t2i4j.itercomp.preference;

import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.training.MicroBatch;
import io.github.t2i4j.core.world.SceneSampler;
import io.github.t2i4j.core.world.WorldExample;
import io.github.t2i4j.core.world.WorldSplit;
import io.github.t2i4j.core.world.clip.WorldClip;
import io.github.t2i4j.core.world.eval.CompositionEvaluator;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Builds IterComp's preference data on the world: for each aspect's training prompts, one image per
 * gallery member, ranked best to worst by the simulated annotator ({@link #collect}); and, in later
 * rounds, a new member's images placed into the existing rankings by the current reward models
 * ({@link #insert}). Both resume: prompts already ranked (or already holding the member) are skipped.
 *
 * <p>Prompt {@code i} of an aspect is a training-split scene of category {@link Aspect#categoryOf}
 * drawn from a stream seeded by (seed, aspect, i), so the same seed always gives the same prompts
 * and more prompts extend the set. Every member draws prompt {@code i}'s image with the same noise
 * seed, {@link #imageSeed}.
 */
public final class PreferenceCollection {
    private static final Logger LOG = LoggerFactory.getLogger(PreferenceCollection.class);
    private static final long PROMPT_SALT = 0x1735C0DEL;

    /**
     * @param promptsPerAspect training prompts ranked per aspect
     * @param aspects the aspects to collect
     * @param seed seed of the prompts and the images
     * @param batchSize prompts per generator call
     */
    public record Options(int promptsPerAspect, List<Aspect> aspects, long seed, int batchSize) {
        public Options {
            if (promptsPerAspect < 1 || batchSize < 1) {
                throw new IllegalArgumentException(
                        "promptsPerAspect and batchSize must be positive: " + promptsPerAspect + ", " + batchSize);
            }
            aspects = List.copyOf(aspects);
            if (aspects.isEmpty()) {
                throw new IllegalArgumentException("no aspect to collect");
            }
        }

        /** 1,000 prompts for each of the three aspects, seed 0, 8 prompts per call. */
        public static Options defaults() {
            return new Options(1000, List.of(Aspect.values()), 0, 8);
        }
    }

    /** What a call did: rankings made or changed, images generated, and each member's seconds per image. */
    public record Result(int rankings, int images, Map<String, Double> secondsPerImage, double insertionAgreement) {}

    private final PreferenceStore store;
    private final WorldClip clip;
    private final Options options;
    private final CompositionEvaluator evaluator = new CompositionEvaluator();
    private final SceneSampler sampler = new SceneSampler(WorldSplit.TRAIN);

    /**
     * @param clip the world CLIP whose score breaks the annotator's ties; null ranks ties by member name
     */
    public PreferenceCollection(PreferenceStore store, WorldClip clip, Options options) {
        this.store = store;
        this.clip = clip;
        this.options = options;
    }

    /** The training prompt {@code index} of {@code aspect}. */
    public WorldExample prompt(Aspect aspect, long index) {
        SplittableRandom rng = new SplittableRandom(MicroBatch.streamSeed(options.seed() ^ PROMPT_SALT, index, aspect.ordinal()));
        return sampler.sample(aspect.categoryOf(index), rng);
    }

    /** The noise seed of prompt {@code index} of {@code aspect}; consecutive indices have consecutive seeds. */
    public long imageSeed(Aspect aspect, long index) {
        return options.seed() * 1_000_003L + aspect.ordinal() * 100_000_000L + index;
    }

    /**
     * The number of images {@link #collect} still has to draw for a gallery of these members: every
     * member on a prompt without a ranking, and each member a collected ranking lacks.
     */
    public long remainingImages(Collection<String> members) {
        long n = 0;
        for (Aspect a : options.aspects()) {
            for (long i = 0; i < options.promptsPerAspect(); i++) {
                if (!store.has(a, i)) {
                    n += members.size();
                } else {
                    Ranking r = store.get(a, i);
                    n += members.stream().filter(m -> !r.contains(m)).count();
                }
            }
        }
        return n;
    }

    /**
     * Ranks the missing prompts with every member of the gallery, by the annotator. A member that
     * joined the gallery after some prompts were ranked (a new round-0 generator) draws those prompts
     * too, and their rankings are redone by the annotator over all the images.
     *
     * @param progress told the number of images drawn so far in this call
     * @throws IllegalStateException if existing rankings hold a member the gallery lacks (one
     *     removed, or a later round's model placed by a reward: nothing is changed then)
     */
    public Result collect(List<? extends TextToImageGenerator> members, LongConsumer progress) {
        Set<String> names = members.stream().map(TextToImageGenerator::name).collect(Collectors.toCollection(TreeSet::new));
        if (names.size() != members.size()) {
            throw new IllegalArgumentException("gallery members need distinct names: " + names);
        }
        for (Ranking r : store.rankings()) {
            Set<String> have = r.images().stream().map(RankedImage::member).collect(Collectors.toCollection(TreeSet::new));
            if (!names.containsAll(have)) {
                have.removeAll(names);
                throw new IllegalStateException(store.dir() + " holds images of " + have + ", which the gallery " + names
                        + " lacks; collect into another folder");
            }
        }
        Map<String, double[]> time = new LinkedHashMap<>();
        int rankings = 0;
        int images = 0;
        for (Aspect aspect : options.aspects()) {
            for (List<Long> batch : missingRuns(aspect, null)) {
                List<WorldExample> examples = batch.stream().map(i -> prompt(aspect, i)).toList();
                List<String> captions = examples.stream().map(WorldExample::caption).toList();
                List<List<RankedImage>> ranked = new ArrayList<>();
                batch.forEach(i -> ranked.add(new ArrayList<>()));
                for (TextToImageGenerator member : members) {
                    List<RankedImage> judged = draw(member, aspect, batch, examples, time);
                    for (int k = 0; k < batch.size(); k++) {
                        ranked.get(k).add(judged.get(k));
                    }
                    images += batch.size();
                    progress.accept(images);
                }
                List<Ranking> out = new ArrayList<>();
                for (int k = 0; k < batch.size(); k++) {
                    out.add(Ranking.byAnnotator(aspect, batch.get(k), examples.get(k).category(), captions.get(k),
                            imageSeed(aspect, batch.get(k)), ranked.get(k)));
                }
                store.add(out);
                rankings += out.size();
            }
        }
        for (TextToImageGenerator member : members) {
            for (Aspect aspect : options.aspects()) {
                for (List<Long> batch : missingRuns(aspect, member.name())) {
                    List<Ranking> old = batch.stream().map(i -> store.get(aspect, i)).toList();
                    List<RankedImage> fresh = draw(member, aspect, batch, sameCaptions(aspect, old), time);
                    List<Ranking> out = new ArrayList<>();
                    for (int k = 0; k < old.size(); k++) {
                        Ranking r = old.get(k);
                        List<RankedImage> all = new ArrayList<>(r.images());
                        all.add(fresh.get(k));
                        out.add(Ranking.byAnnotator(aspect, r.index(), r.category(), r.caption(), r.seed(), all));
                    }
                    store.replace(out);
                    images += batch.size();
                    progress.accept(images);
                }
            }
        }
        LOG.info("preference data: {} rankings added ({} images in all); {} rankings in {}", rankings, images,
                store.rankings().size(), store.dir());
        return new Result(rankings, images, perImage(time), Double.NaN);
    }

    /**
     * Places {@code member}'s image into every collected ranking that lacks it, by the aspect's
     * current reward ({@link Ranking#insert}). The annotator's score is still recorded with the new
     * image, so the result reports how often the reward's placement agrees with the annotator: over
     * the pairs (newcomer, other) whose annotator scores differ, the fraction ordered the same way.
     */
    public Result insert(TextToImageGenerator member, Map<Aspect, ? extends RewardScorer> rewards, LongConsumer progress) {
        Map<String, double[]> time = new LinkedHashMap<>();
        int changed = 0;
        long agree = 0;
        long decided = 0;
        for (Aspect aspect : options.aspects()) {
            if (rewards.get(aspect) == null) {
                throw new IllegalArgumentException("no reward model for " + aspect.key());
            }
        }
        for (Aspect aspect : options.aspects()) {
            RewardScorer reward = rewards.get(aspect);
            for (List<Long> batch : missingRuns(aspect, member.name())) {
                List<Ranking> old = batch.stream().map(i -> store.get(aspect, i)).toList();
                List<RankedImage> fresh = draw(member, aspect, batch, sameCaptions(aspect, old), time);
                List<BufferedImage> all = new ArrayList<>();
                List<String> captions = new ArrayList<>();
                for (int k = 0; k < old.size(); k++) {
                    for (RankedImage ri : old.get(k).images()) {
                        all.add(store.readImage(ri));
                        captions.add(old.get(k).caption());
                    }
                    all.add(store.readImage(fresh.get(k)));
                    captions.add(old.get(k).caption());
                }
                double[] scores = reward.score(all, captions);
                List<Ranking> out = new ArrayList<>();
                int at = 0;
                for (int k = 0; k < old.size(); k++) {
                    Map<String, Double> current = new LinkedHashMap<>();
                    for (RankedImage ri : old.get(k).images()) {
                        current.put(ri.member(), scores[at++]);
                    }
                    RankedImage newcomer = fresh.get(k).withReward(scores[at++]);
                    Ranking placed = old.get(k).insert(newcomer, ri -> current.get(ri.member()));
                    out.add(placed);
                    int pos = placed.images().indexOf(newcomer);
                    for (int j = 0; j < placed.images().size(); j++) {
                        RankedImage other = placed.images().get(j);
                        if (j == pos || other.score() == newcomer.score()) {
                            continue;
                        }
                        decided++;
                        if ((j > pos) == (newcomer.score() > other.score())) {
                            agree++;
                        }
                    }
                }
                store.replace(out);
                changed += out.size();
                progress.accept(changed);
            }
        }
        double agreement = decided == 0 ? Double.NaN : (double) agree / decided;
        LOG.info("preference data: {} placed in {} rankings; agreement with the annotator {}", member.name(), changed,
                agreement);
        return new Result(changed, changed, perImage(time), agreement);
    }

    /** The prompts of collected rankings, checked to be what this world and seed still draw. */
    private List<WorldExample> sameCaptions(Aspect aspect, List<Ranking> rankings) {
        List<WorldExample> examples = new ArrayList<>();
        for (Ranking r : rankings) {
            WorldExample e = prompt(aspect, r.index());
            if (!e.caption().equals(r.caption())) {
                throw new IllegalStateException("prompt " + aspect.key() + " #" + r.index() + " is now '" + e.caption()
                        + "' but was ranked as '" + r.caption() + "': another seed or world version");
            }
            examples.add(e);
        }
        return examples;
    }

    /** One member's images for a run of consecutive prompts, written and judged. */
    private List<RankedImage> draw(TextToImageGenerator member, Aspect aspect, List<Long> batch, List<WorldExample> examples,
            Map<String, double[]> time) {
        List<String> captions = examples.stream().map(WorldExample::caption).toList();
        long t0 = System.nanoTime();
        List<BufferedImage> images = member.generate(captions, imageSeed(aspect, batch.get(0)));
        double[] t = time.computeIfAbsent(member.name(), n -> new double[2]);
        t[0] += (System.nanoTime() - t0) / 1e9;
        t[1] += images.size();
        if (images.size() != captions.size()) {
            throw new IllegalStateException(member.name() + " returned " + images.size() + " images for " + captions.size() + " prompts");
        }
        double[] clipScores = clip == null ? new double[images.size()] : clip.cosines(images, captions);
        List<RankedImage> out = new ArrayList<>();
        for (int k = 0; k < images.size(); k++) {
            String file = PreferenceStore.imageFile(aspect, batch.get(k), member.name());
            store.writeImage(file, images.get(k));
            double score = evaluator.evaluate(images.get(k), examples.get(k).prompt()).score();
            out.add(RankedImage.judged(member.name(), file, score, clipScores[k]));
        }
        return out;
    }

    /** Runs of consecutive prompt indices (at most a batch each) with no ranking, or whose ranking lacks {@code member}. */
    private List<List<Long>> missingRuns(Aspect aspect, String member) {
        List<List<Long>> runs = new ArrayList<>();
        List<Long> run = new ArrayList<>();
        for (long i = 0; i < options.promptsPerAspect(); i++) {
            boolean missing = member == null ? !store.has(aspect, i) : store.has(aspect, i) && !store.get(aspect, i).contains(member);
            boolean extends_ = missing && (run.isEmpty() || run.get(run.size() - 1) == i - 1) && run.size() < options.batchSize();
            if (!extends_ && !run.isEmpty()) {
                runs.add(run);
                run = new ArrayList<>();
            }
            if (missing) {
                run.add(i);
            }
        }
        if (!run.isEmpty()) {
            runs.add(run);
        }
        return runs;
    }

    private static Map<String, Double> perImage(Map<String, double[]> time) {
        Map<String, Double> out = new LinkedHashMap<>();
        time.forEach((n, t) -> out.put(n, t[1] == 0 ? Double.NaN : t[0] / t[1]));
        return out;
    }
}
