package io.github.t2i4j.itercomp.preference;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.world.Category;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToDoubleFunction;

/**
 * The gallery's images for one training prompt, best first: IterComp's unit of preference data.
 * Every (i &lt; j) pair of a ranking is a (better, worse) pair.
 *
 * <p>At iteration 0 the simulated annotator orders the images ({@link #byAnnotator}); in later
 * rounds a new member's image is placed by the current reward model ({@link #insert}), as the paper
 * does instead of asking people again.
 *
 * @param aspect the aspect whose reward model learns from this ranking
 * @param index the prompt's index within the aspect's prompt stream
 * @param category the world category of the prompt
 * @param caption the prompt
 * @param seed the noise seed every member drew its image with
 * @param images best first
 */
public record Ranking(Aspect aspect, long index, Category category, String caption, long seed, List<RankedImage> images) {

    /** The annotator's order: higher evaluator score first, then higher CLIP score, then member name. */
    public static final Comparator<RankedImage> ANNOTATOR_ORDER = Comparator.comparingDouble(RankedImage::score)
            .reversed()
            .thenComparing(Comparator.comparingDouble(RankedImage::clipScore).reversed())
            .thenComparing(RankedImage::member);

    public Ranking {
        images = List.copyOf(images);
        if (Aspect.ofCategory(category) != aspect) {
            throw new IllegalArgumentException("a " + category.key() + " prompt cannot be in the " + aspect.key() + " rankings");
        }
        long distinct = images.stream().map(RankedImage::member).distinct().count();
        if (distinct != images.size()) {
            throw new IllegalArgumentException("a member appears twice in the ranking of '" + caption + "'");
        }
    }

    /** A ranking of {@code images} (any order) by the simulated annotator. */
    public static Ranking byAnnotator(
            Aspect aspect, long index, Category category, String caption, long seed, List<RankedImage> images) {
        List<RankedImage> sorted = new ArrayList<>(images);
        sorted.sort(ANNOTATOR_ORDER);
        return new Ranking(aspect, index, category, caption, seed, sorted);
    }

    /** Whether {@code member} has an image here. */
    public boolean contains(String member) {
        return images.stream().anyMatch(i -> i.member().equals(member));
    }

    /** Every (better, worse) pair: image i against every image ranked below it. */
    public List<PreferencePair> pairs() {
        List<PreferencePair> out = new ArrayList<>();
        for (int i = 0; i < images.size(); i++) {
            for (int j = i + 1; j < images.size(); j++) {
                out.add(new PreferencePair(aspect, index, caption, images.get(i), images.get(j)));
            }
        }
        return out;
    }

    /**
     * This ranking with {@code newcomer} placed by a reward model, IterComp's rule: walk from the
     * worst image upward and insert below the first one whose reward is at least the newcomer's;
     * if none is, the newcomer goes to the top.
     *
     * @param newcomer the new member's image, its {@link RankedImage#reward} set
     * @param reward the current reward of an image already in the ranking
     */
    public Ranking insert(RankedImage newcomer, ToDoubleFunction<RankedImage> reward) {
        if (!newcomer.placedByReward()) {
            throw new IllegalArgumentException("the newcomer needs its reward: " + newcomer);
        }
        if (contains(newcomer.member())) {
            throw new IllegalArgumentException(newcomer.member() + " is already ranked for '" + caption + "'");
        }
        int at = 0;
        for (int i = images.size() - 1; i >= 0; i--) {
            if (reward.applyAsDouble(images.get(i)) >= newcomer.reward()) {
                at = i + 1;
                break;
            }
        }
        List<RankedImage> out = new ArrayList<>(images);
        out.add(at, newcomer);
        return new Ranking(aspect, index, category, caption, seed, out);
    }

    /** One line of {@code rankings.jsonl}. */
    public JsonObject toJson() {
        JsonObject o = new JsonObject();
        o.addProperty("aspect", aspect.key());
        o.addProperty("index", index);
        o.addProperty("category", category.key());
        o.addProperty("caption", caption);
        o.addProperty("seed", seed);
        JsonArray a = new JsonArray();
        images.forEach(i -> a.add(i.toJson()));
        o.add("images", a);
        return o;
    }

    /** Parses {@link #toJson()}. */
    public static Ranking fromJson(JsonObject o) {
        List<RankedImage> images = new ArrayList<>();
        o.getAsJsonArray("images").forEach(e -> images.add(RankedImage.fromJson(e.getAsJsonObject())));
        return new Ranking(Aspect.of(o.get("aspect").getAsString()), o.get("index").getAsLong(),
                Category.of(o.get("category").getAsString()), o.get("caption").getAsString(), o.get("seed").getAsLong(),
                images);
    }
}
