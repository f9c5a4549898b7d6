package io.github.t2i4j.core.world;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.SortedSet;

/**
 * Writes captions for structured prompts, with varied phrasing so a text encoder has to read them:
 *
 * <ul>
 *   <li>synonyms: circle/disk, diamond/rhombus, purple/violet, small/little, large/big, solid/plain,
 *       dotted/spotted; "to the left of" / "left of" / "on the left of" / "on the left side of", above /
 *       over / higher than, below / under / beneath / lower than, bigger / larger than, the same size
 *       as / as big as / as large as / equal in size to (the canonical word is used 70% of the time);
 *   <li>order: the two objects of a conjunction in either order; a relation either way round ("X left
 *       of Y" or "Y right of X"); in complex prompts four sentence patterns and either relation first;
 *   <li>articles "a"/"an" or "one"; optional linking words ("is", "that is", "placed"); an optional
 *       lead-in ("an image of", "a picture of", "a drawing of", "a scene with", "there is");
 *   <li>attributes: size first, then colour and texture in either order; a texture may follow the noun
 *       ("with stripes", "with dots", "with spots") and a colour too ("in red").
 * </ul>
 *
 * Captions are lowercase words separated by single spaces, with "," as the only punctuation (written
 * attached to the previous word). {@link #vocabulary()} lists every token the grammar can produce.
 */
public final class CaptionGrammar {
    private CaptionGrammar() {}

    private static final double CANONICAL = 0.7;

    static final Map<Shape, String[]> SHAPE_WORDS = new EnumMap<>(Shape.class);
    static final Map<Colour, String[]> COLOUR_WORDS = new EnumMap<>(Colour.class);
    static final Map<Size, String[]> SIZE_WORDS = new EnumMap<>(Size.class);
    static final Map<Texture, String[]> TEXTURE_WORDS = new EnumMap<>(Texture.class);
    static final Map<Texture, String[]> TEXTURE_POST = new EnumMap<>(Texture.class);
    static final Map<Relation, String[]> RELATION_WORDS = new EnumMap<>(Relation.class);

    static final String[] PREFIXES = {"an image of", "a picture of", "a drawing of", "a scene with", "there is"};
    static final String[] CONJUNCTIONS = {"and", "and", "and", "and also", "as well as", "together with"};
    /** Words used by the sentence patterns themselves. */
    private static final String[] TEMPLATE_WORDS = {"a", "an", "one", "the", "is", "that", "placed", "which", "in", ","};

    static {
        SHAPE_WORDS.put(Shape.CIRCLE, new String[] {"circle", "disk"});
        SHAPE_WORDS.put(Shape.SQUARE, new String[] {"square"});
        SHAPE_WORDS.put(Shape.TRIANGLE, new String[] {"triangle"});
        SHAPE_WORDS.put(Shape.STAR, new String[] {"star"});
        SHAPE_WORDS.put(Shape.CROSS, new String[] {"cross"});
        SHAPE_WORDS.put(Shape.DIAMOND, new String[] {"diamond", "rhombus"});
        for (Colour c : Colour.values()) {
            COLOUR_WORDS.put(c, new String[] {c.word()});
        }
        COLOUR_WORDS.put(Colour.PURPLE, new String[] {"purple", "violet"});
        SIZE_WORDS.put(Size.SMALL, new String[] {"small", "little"});
        SIZE_WORDS.put(Size.LARGE, new String[] {"large", "big"});
        TEXTURE_WORDS.put(Texture.SOLID, new String[] {"solid", "plain"});
        TEXTURE_WORDS.put(Texture.STRIPED, new String[] {"striped"});
        TEXTURE_WORDS.put(Texture.DOTTED, new String[] {"dotted", "spotted"});
        TEXTURE_POST.put(Texture.STRIPED, new String[] {"with stripes"});
        TEXTURE_POST.put(Texture.DOTTED, new String[] {"with dots", "with spots"});
        RELATION_WORDS.put(
                Relation.LEFT_OF, new String[] {"to the left of", "left of", "on the left of", "on the left side of"});
        RELATION_WORDS.put(
                Relation.RIGHT_OF,
                new String[] {"to the right of", "right of", "on the right of", "on the right side of"});
        RELATION_WORDS.put(Relation.ABOVE, new String[] {"above", "over", "higher than"});
        RELATION_WORDS.put(Relation.BELOW, new String[] {"below", "under", "beneath", "lower than"});
        RELATION_WORDS.put(Relation.BIGGER_THAN, new String[] {"bigger than", "larger than"});
        RELATION_WORDS.put(Relation.SMALLER_THAN, new String[] {"smaller than"});
        RELATION_WORDS.put(
                Relation.SAME_SIZE_AS,
                new String[] {"the same size as", "as big as", "as large as", "equal in size to"});
    }

    /**
     * A caption for the structure of {@code prompt} (its own caption is ignored). The caption names
     * exactly the prompt's objects with exactly their specified attributes and states exactly its
     * relations (possibly inverted). Supports what the {@link SceneSampler} produces: one object with no
     * relation, two objects with at most one relation, and three objects with two relations that share
     * an object and whose objects have distinct shapes.
     */
    public static String caption(CompositionPrompt prompt, SplittableRandom rng) {
        List<ObjectSpec> objs = prompt.objects();
        List<RelationSpec> rels = prompt.relations();
        boolean prefixed = rng.nextDouble() < 0.25;
        String body;
        if (objs.size() == 1 && rels.isEmpty()) {
            body = np(objs.get(0), rng);
        } else if (objs.size() == 2 && rels.isEmpty()) {
            int first = rng.nextInt(2);
            body = np(objs.get(first), rng) + " " + pick(CONJUNCTIONS, rng) + " " + np(objs.get(1 - first), rng);
        } else if (objs.size() == 2 && rels.size() == 1) {
            RelationSpec r = rng.nextBoolean() ? rels.get(0) : rels.get(0).inverted();
            body = np(objs.get(r.subject()), rng) + " " + link(r.relation().isSpatial(), prefixed, rng) + relationWords(r.relation(), rng)
                    + " " + np(objs.get(r.object()), rng);
        } else if (objs.size() == 3 && rels.size() == 2) {
            body = complex(objs, rels, prefixed, rng);
        } else {
            throw new IllegalArgumentException(
                    "no caption pattern for " + objs.size() + " objects and " + rels.size() + " relations");
        }
        String text = prefixed ? pick(PREFIXES, rng) + " " + body : body;
        return fixArticles(text);
    }

    private static String complex(List<ObjectSpec> objs, List<RelationSpec> rels, boolean prefixed, SplittableRandom rng) {
        RelationSpec r1 = rels.get(0);
        RelationSpec r2 = rels.get(1);
        int shared = sharedIndex(r1, r2);
        if (shared < 0) {
            throw new IllegalArgumentException("the two relations of a complex prompt must share an object");
        }
        for (int i = 0; i < 3; i++) {
            for (int j = i + 1; j < 3; j++) {
                if (objs.get(i).shape() == objs.get(j).shape()) {
                    throw new IllegalArgumentException("complex prompts need three distinct shapes");
                }
            }
        }
        if (rng.nextBoolean()) {
            RelationSpec t = r1;
            r1 = r2;
            r2 = t;
        }
        // orient both with the shared object A as subject: A r1 B, A r2 C
        RelationSpec a1 = r1.subject() == shared ? r1 : r1.inverted();
        RelationSpec a2 = r2.subject() == shared ? r2 : r2.inverted();
        ObjectSpec a = objs.get(shared);
        ObjectSpec b = objs.get(a1.object());
        ObjectSpec c = objs.get(a2.object());
        String theA = "the " + pick(SHAPE_WORDS.get(a.shape()), rng);
        return switch (rng.nextInt(4)) {
            // a red circle left of a blue square and above a green star
            case 0 -> np(a, rng) + " " + link(a1.relation().isSpatial() && a2.relation().isSpatial(), prefixed, rng) + relationWords(a1.relation(), rng) + " "
                    + np(b, rng) + " and " + relationWords(a2.relation(), rng) + " " + np(c, rng);
            // a blue square right of a red circle, which is above a green star
            case 1 -> np(b, rng) + " " + relationWords(a1.relation().inverse(), rng) + " " + np(a, rng)
                    + ", which is " + relationWords(a2.relation(), rng) + " " + np(c, rng);
            // a blue square right of a red circle, and a green star below the circle
            case 2 -> np(b, rng) + " " + relationWords(a1.relation().inverse(), rng) + " " + np(a, rng) + ", and "
                    + np(c, rng) + " " + relationWords(a2.relation().inverse(), rng) + " " + theA;
            // a red circle left of a blue square, and the circle is above a green star
            default -> np(a, rng) + " " + relationWords(a1.relation(), rng) + " " + np(b, rng) + ", and " + theA
                    + " is " + relationWords(a2.relation(), rng) + " " + np(c, rng);
        };
    }

    private static int sharedIndex(RelationSpec r1, RelationSpec r2) {
        if (r1.subject() == r2.subject() || r1.subject() == r2.object()) {
            return r1.subject();
        }
        if (r1.object() == r2.subject() || r1.object() == r2.object()) {
            return r1.object();
        }
        return -1;
    }

    /** Optional linking words before a relation ("is ", "that is ", "placed "), or nothing. */
    private static String link(boolean spatial, boolean prefixed, SplittableRandom rng) {
        double u = rng.nextDouble();
        if (u < 0.5) {
            return "";
        }
        if (u < 0.7 && !prefixed) {
            return "is ";
        }
        if (u < 0.85 || !spatial) {
            return "that is ";
        }
        return "placed ";
    }

    /** A noun phrase with an indefinite article ("a"; fixed to "an" later) or "one". */
    static String np(ObjectSpec spec, SplittableRandom rng) {
        List<String> pre = new ArrayList<>();
        List<String> post = new ArrayList<>();
        if (spec.size() != null) {
            pre.add(synonym(SIZE_WORDS.get(spec.size()), rng));
        }
        List<String> middle = new ArrayList<>();
        if (spec.colour() != null) {
            String c = synonym(COLOUR_WORDS.get(spec.colour()), rng);
            if (rng.nextDouble() < 0.1) {
                post.add("in " + c);
            } else {
                middle.add(c);
            }
        }
        if (spec.texture() != null) {
            String[] after = TEXTURE_POST.get(spec.texture());
            if (after != null && rng.nextDouble() < 0.3) {
                post.add(pick(after, rng));
            } else {
                middle.add(synonym(TEXTURE_WORDS.get(spec.texture()), rng));
            }
        }
        if (middle.size() == 2 && rng.nextBoolean()) {
            middle.add(middle.remove(0));
        }
        if (post.size() == 2 && rng.nextBoolean()) {
            post.add(post.remove(0));
        }
        pre.addAll(middle);
        StringBuilder sb = new StringBuilder(rng.nextDouble() < 0.15 ? "one" : "a");
        for (String w : pre) {
            sb.append(' ').append(w);
        }
        sb.append(' ').append(synonym(SHAPE_WORDS.get(spec.shape()), rng));
        for (String w : post) {
            sb.append(' ').append(w);
        }
        return sb.toString();
    }

    private static String relationWords(Relation r, SplittableRandom rng) {
        return synonym(RELATION_WORDS.get(r), rng);
    }

    /** The first word 70% of the time, otherwise one of the others. */
    private static String synonym(String[] words, SplittableRandom rng) {
        if (words.length == 1 || rng.nextDouble() < CANONICAL) {
            return words[0];
        }
        return words[1 + rng.nextInt(words.length - 1)];
    }

    private static String pick(String[] words, SplittableRandom rng) {
        return words[rng.nextInt(words.length)];
    }

    /** "a" before a vowel becomes "an". */
    private static String fixArticles(String text) {
        String[] w = text.split(" ");
        for (int i = 0; i + 1 < w.length; i++) {
            if (w[i].equals("a") && "aeiou".indexOf(w[i + 1].charAt(0)) >= 0) {
                w[i] = "an";
            }
        }
        return String.join(" ", w);
    }

    /** Splits a caption into tokens: lowercase words, with "," as its own token. */
    public static List<String> tokens(String caption) {
        String spaced = caption.toLowerCase(Locale.ROOT).replace(",", " , ").trim();
        return spaced.isEmpty() ? List.of() : Arrays.asList(spaced.split("\\s+"));
    }

    /** Every token ({@link #tokens}) the grammar can produce, sorted; for the world's tokenizer. */
    public static SortedSet<String> vocabulary() {
        SortedSet<String> out = new TreeSet<>();
        List<String[]> lists = new ArrayList<>();
        lists.addAll(SHAPE_WORDS.values());
        lists.addAll(COLOUR_WORDS.values());
        lists.addAll(SIZE_WORDS.values());
        lists.addAll(TEXTURE_WORDS.values());
        lists.addAll(TEXTURE_POST.values());
        lists.addAll(RELATION_WORDS.values());
        lists.add(PREFIXES);
        lists.add(CONJUNCTIONS);
        lists.add(TEMPLATE_WORDS);
        for (String[] list : lists) {
            for (String phrase : list) {
                out.addAll(tokens(phrase));
            }
        }
        return out;
    }
}
