package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.CaptionGrammar;
import io.github.t2i4j.core.world.Size;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedSet;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Text for subjects in context, in the world grammar's style (lowercase words, "," the only
 * punctuation): captions of demonstration images and new-context prompts. Both name the subject only by
 * its class noun ("circle") and state the whole {@link SubjectContext}: size, position and background
 * (which the world's own captions never name). Prompts come from a fixed set of sentence templates
 * that stand in for the LLM of SuTI's data pipeline; captions and prompts use different templates, so
 * a model cannot match a prompt to a demonstration by its wording.
 */
public final class ContextCaptions {
    private ContextCaptions() {}

    private static final double CANONICAL = 0.7;

    private static final String[][] SIZE_WORDS = {{"small", "little"}, {"large", "big"}};
    private static final String[][] BACKGROUND_WORDS = {{"white"}, {"grey", "light grey"}, {"beige", "cream"}, {"light blue", "pale blue"}};
    /** Caption templates: {s} size, {n} noun, {p} position phrase, {b} background words. */
    private static final String[] CAPTIONS = {
        "a {s} {n} {p} on a {b} background",
        "a picture of a {s} {n} {p} on a {b} background",
        "the {s} {n} {p}, on a {b} background",
        "a {s} {n} {p}, the background is {b}"
    };
    /** Prompt templates, worded unlike the captions. */
    private static final String[] PROMPTS = {
        "the {n} {p}, {s}, on a {b} background",
        "show the {n} {s} and {p} on a {b} background",
        "a {s} version of the {n} {p} with a {b} background",
        "the same {n} {p} on a {b} background, drawn {s}",
        "put the {n} {p}, make it {s}, use a {b} background"
    };

    /** The words for a background, canonical first (e.g. "grey", "light grey"). */
    public static String[] backgroundWords(Background b) {
        return BACKGROUND_WORDS[b.ordinal()].clone();
    }

    /** The words for a size, canonical first. */
    public static String[] sizeWords(Size s) {
        return SIZE_WORDS[s.ordinal()].clone();
    }

    /** A caption of a demonstration image of the subject in this context. */
    public static String caption(Subject subject, SubjectContext context, SplittableRandom rng) {
        return fill(CAPTIONS[rng.nextInt(CAPTIONS.length)], subject, context, rng);
    }

    /** A new-context prompt asking for the subject in this context. */
    public static String prompt(Subject subject, SubjectContext context, SplittableRandom rng) {
        return fill(PROMPTS[rng.nextInt(PROMPTS.length)], subject, context, rng);
    }

    private static String fill(String template, Subject subject, SubjectContext c, SplittableRandom rng) {
        return template
                .replace("{s}", synonym(SIZE_WORDS[c.size().ordinal()], rng))
                .replace("{n}", subject.noun())
                .replace("{p}", synonym(c.position().phrases(), rng))
                .replace("{b}", synonym(BACKGROUND_WORDS[c.background().ordinal()], rng));
    }

    private static String synonym(String[] words, SplittableRandom rng) {
        if (words.length == 1 || rng.nextDouble() < CANONICAL) {
            return words[0];
        }
        return words[1 + rng.nextInt(words.length - 1)];
    }

    /** Every token ({@link CaptionGrammar#tokens}) captions and prompts can produce, sorted. */
    public static SortedSet<String> vocabulary() {
        SortedSet<String> out = new TreeSet<>();
        List<String> phrases = new ArrayList<>();
        for (String[] t : new String[][] {CAPTIONS, PROMPTS}) {
            for (String s : t) {
                phrases.add(s.replaceAll("\\{.}", " "));
            }
        }
        for (String[][] table : new String[][][] {SIZE_WORDS, BACKGROUND_WORDS}) {
            for (String[] words : table) {
                phrases.addAll(List.of(words));
            }
        }
        for (Position p : Position.values()) {
            phrases.addAll(List.of(p.phrases()));
        }
        for (io.github.t2i4j.core.world.Shape s : io.github.t2i4j.core.world.Shape.values()) {
            phrases.add(s.word());
        }
        for (String p : phrases) {
            out.addAll(CaptionGrammar.tokens(p));
        }
        return out;
    }
}
