package io.github.t2i4j.suti.experts;

import io.github.t2i4j.core.text.CLIPTokenizer;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Prompts for the experts: a subject's captions with the class noun marked ("a small [identifier]
 * circle on the left", or "a small [placeholder] on the left"), and the choice of a DreamBooth
 * identifier.
 */
public final class ExpertPrompts {
    /** DreamBooth's identifier for CLIP's BPE vocabulary (a rare single token, as in the paper's examples). */
    public static final String SD_IDENTIFIER = "sks";

    /**
     * Candidates for the bundled world's closed vocabulary, rarest first: words of the world CLIP's
     * tokenizer that neither the subjects' captions and prompts ({@code ContextCaptions}) nor the
     * class nouns use, and that carry no colour, shape, size, texture or place, so the identifier
     * starts without a meaning that fights the subject's.
     */
    public static final List<String> WORLD_IDENTIFIER_CANDIDATES =
            List.of("which", "together", "well", "also", "there", "that", "as", "is");

    private ExpertPrompts() {}

    /**
     * Replaces the first whole-word occurrence of {@code classNoun} in {@code caption} with {@code
     * replacement}; an error if the caption does not name the class.
     */
    public static String replaceNoun(String caption, String classNoun, String replacement) {
        Matcher m = Pattern.compile("\\b" + Pattern.quote(classNoun) + "\\b", Pattern.CASE_INSENSITIVE).matcher(caption);
        if (!m.find()) {
            throw new IllegalArgumentException("the caption '" + caption + "' does not name the class '" + classNoun + "'");
        }
        return caption.substring(0, m.start()) + replacement + caption.substring(m.end());
    }

    /** DreamBooth's instance caption: the class noun preceded by the identifier. */
    public static String withIdentifier(String caption, String classNoun, String identifier) {
        return replaceNoun(caption, classNoun, identifier + " " + classNoun);
    }

    /**
     * The first candidate that the tokenizer keeps as one known token (not split, not unknown) and
     * that is not in {@code avoid} (e.g. the words of the captions the expert will be prompted
     * with): DreamBooth's "rare token" for a given vocabulary.
     */
    public static String chooseIdentifier(CLIPTokenizer tokenizer, List<String> candidates, Collection<String> avoid) {
        for (String c : candidates) {
            if (avoid.contains(c.toLowerCase(Locale.ROOT))) {
                continue;
            }
            long[] ids = tokenizer.tokenize(c);
            if (ids.length == 1 && tokenizer.decode(ids).trim().equalsIgnoreCase(c)) {
                return c;
            }
        }
        throw new IllegalArgumentException("no candidate is a single known token outside the avoided words: " + candidates);
    }

    /** The id of {@code word} if the tokenizer keeps it as one token; an error otherwise. */
    static long singleToken(CLIPTokenizer tokenizer, String word) {
        long[] ids = tokenizer.tokenize(word);
        if (ids.length != 1) {
            throw new IllegalArgumentException("'" + word + "' is " + ids.length + " tokens, not one");
        }
        return ids[0];
    }
}
