package io.github.t2i4j.core.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads captions of the {@link CaptionGrammar} back into structured prompts: the inverse of the
 * grammar, for generators that plan a layout from the text (and to prove the grammar unambiguous: every
 * generated caption parses to a prompt {@link CompositionPrompt#equivalent equivalent} to the one it was
 * written from).
 *
 * <p>Objects are numbered in order of first mention. The category is inferred: one object is SINGLE,
 * three COMPLEX, two with a position relation SPATIAL, with a size relation NON_SPATIAL; two without a
 * relation are TEXTURE when both have a texture, SHAPE when both have a size, COLOR otherwise. A relation
 * following "and" shares the subject of the previous relation ("a circle left of a square and above a
 * star"); after "which" its subject is the object just named; otherwise the object right before it.
 */
public final class CaptionParser {
    private CaptionParser() {}

    private enum Kind {
        NP,
        REF,
        REL,
        AND,
        WHICH,
        COMMA
    }

    private record Item(Kind kind, ObjectSpec spec, Relation relation) {}

    private record Phrase(Relation relation, List<String> tokens) {}

    private static final List<Phrase> RELATION_PHRASES = new ArrayList<>();
    private static final List<List<String>> PREFIXES = new ArrayList<>();

    static {
        for (Map.Entry<Relation, String[]> e : CaptionGrammar.RELATION_WORDS.entrySet()) {
            for (String phrase : e.getValue()) {
                RELATION_PHRASES.add(new Phrase(e.getKey(), CaptionGrammar.tokens(phrase)));
            }
        }
        for (String prefix : CaptionGrammar.PREFIXES) {
            PREFIXES.add(CaptionGrammar.tokens(prefix));
        }
    }

    /**
     * Parses a caption.
     *
     * @throws IllegalArgumentException if the caption is not one the grammar can write
     */
    public static CompositionPrompt parse(String caption) {
        List<String> t = CaptionGrammar.tokens(caption);
        int pos = 0;
        for (List<String> p : PREFIXES) {
            if (t.size() > p.size() && t.subList(0, p.size()).equals(p)) {
                pos = p.size();
                break;
            }
        }
        List<Item> items = new ArrayList<>();
        while (pos < t.size()) {
            String w = t.get(pos);
            Relation rel = null;
            int relLength = 0;
            for (Phrase p : RELATION_PHRASES) {
                if (p.tokens().size() > relLength && startsWith(t, pos, p.tokens())) {
                    rel = p.relation();
                    relLength = p.tokens().size();
                }
            }
            if (rel != null) {
                items.add(new Item(Kind.REL, null, rel));
                pos += relLength;
            } else if (w.equals("a") || w.equals("an") || w.equals("one")) {
                pos = nounPhrase(t, pos + 1, items, caption);
            } else if (w.equals("the")) {
                Shape s = pos + 1 < t.size() ? find(CaptionGrammar.SHAPE_WORDS, t.get(pos + 1)) : null;
                if (s == null) {
                    throw error(caption, "expected a shape after 'the'");
                }
                items.add(new Item(Kind.REF, ObjectSpec.of(s), null));
                pos += 2;
            } else if (w.equals("and")) {
                items.add(new Item(Kind.AND, null, null));
                pos += startsWith(t, pos, List.of("and", "also")) ? 2 : 1;
            } else if (startsWith(t, pos, List.of("as", "well", "as")) || startsWith(t, pos, List.of("together", "with"))) {
                items.add(new Item(Kind.AND, null, null));
                pos += w.equals("as") ? 3 : 2;
            } else if (w.equals("which")) {
                items.add(new Item(Kind.WHICH, null, null));
                pos++;
            } else if (w.equals(",")) {
                items.add(new Item(Kind.COMMA, null, null));
                pos++;
            } else if (w.equals("is") || w.equals("that") || w.equals("placed")) {
                pos++;
            } else {
                throw error(caption, "unexpected '" + w + "'");
            }
        }
        return interpret(caption, items);
    }

    private static int nounPhrase(List<String> t, int pos, List<Item> items, String caption) {
        Colour colour = null;
        Texture texture = null;
        Size size = null;
        Shape shape = null;
        while (pos < t.size() && shape == null) {
            String w = t.get(pos++);
            Colour c = find(CaptionGrammar.COLOUR_WORDS, w);
            Texture x = find(CaptionGrammar.TEXTURE_WORDS, w);
            Size s = find(CaptionGrammar.SIZE_WORDS, w);
            Shape sh = find(CaptionGrammar.SHAPE_WORDS, w);
            if (c != null && colour == null) {
                colour = c;
            } else if (x != null && texture == null) {
                texture = x;
            } else if (s != null && size == null) {
                size = s;
            } else if (sh != null) {
                shape = sh;
            } else {
                throw error(caption, "unexpected '" + w + "' in a noun phrase");
            }
        }
        if (shape == null) {
            throw error(caption, "noun phrase without a shape");
        }
        while (pos + 1 < t.size()) {
            if (t.get(pos).equals("in") && colour == null && find(CaptionGrammar.COLOUR_WORDS, t.get(pos + 1)) != null) {
                colour = find(CaptionGrammar.COLOUR_WORDS, t.get(pos + 1));
                pos += 2;
            } else if (t.get(pos).equals("with") && texture == null) {
                Texture x = null;
                for (Map.Entry<Texture, String[]> e : CaptionGrammar.TEXTURE_POST.entrySet()) {
                    for (String phrase : e.getValue()) {
                        if (phrase.equals("with " + t.get(pos + 1))) {
                            x = e.getKey();
                        }
                    }
                }
                if (x == null) {
                    throw error(caption, "unexpected 'with " + t.get(pos + 1) + "'");
                }
                texture = x;
                pos += 2;
            } else {
                break;
            }
        }
        items.add(new Item(Kind.NP, new ObjectSpec(shape, colour, texture, size), null));
        return pos;
    }

    private static CompositionPrompt interpret(String caption, List<Item> items) {
        List<ObjectSpec> objects = new ArrayList<>();
        List<RelationSpec> relations = new ArrayList<>();
        int lastEntity = -1;
        int lastRelationSubject = -1;
        Relation pending = null;
        int pendingSubject = -1;
        Kind previous = null;
        for (Item it : items) {
            switch (it.kind()) {
                case NP, REF -> {
                    int index;
                    if (it.kind() == Kind.NP) {
                        objects.add(it.spec());
                        index = objects.size() - 1;
                    } else {
                        index = -1;
                        for (int i = 0; i < objects.size(); i++) {
                            if (objects.get(i).shape() == it.spec().shape()) {
                                if (index >= 0) {
                                    throw error(caption, "'the " + it.spec().shape().word() + "' is ambiguous");
                                }
                                index = i;
                            }
                        }
                        if (index < 0) {
                            throw error(caption, "'the " + it.spec().shape().word() + "' refers to nothing");
                        }
                    }
                    if (pending != null) {
                        relations.add(new RelationSpec(pendingSubject, pending, index));
                        pending = null;
                    }
                    lastEntity = index;
                }
                case REL -> {
                    if (pending != null) {
                        throw error(caption, "two relations in a row");
                    }
                    int subject = previous == Kind.AND ? lastRelationSubject : lastEntity;
                    if (subject < 0) {
                        throw error(caption, "relation without a subject");
                    }
                    pending = it.relation();
                    pendingSubject = subject;
                    lastRelationSubject = subject;
                }
                default -> {}
            }
            if (it.kind() != Kind.COMMA) {
                previous = it.kind();
            }
        }
        if (pending != null) {
            throw error(caption, "relation without an object");
        }
        if (objects.isEmpty() || objects.size() > Scene.MAX_OBJECTS) {
            throw error(caption, objects.size() + " objects");
        }
        return new CompositionPrompt(caption, category(objects, relations), objects, relations);
    }

    private static Category category(List<ObjectSpec> objects, List<RelationSpec> relations) {
        if (objects.size() == 1) {
            return Category.SINGLE;
        }
        if (objects.size() == 3) {
            return Category.COMPLEX;
        }
        if (!relations.isEmpty()) {
            return relations.get(0).relation().isSpatial() ? Category.SPATIAL : Category.NON_SPATIAL;
        }
        if (objects.stream().allMatch(o -> o.texture() != null)) {
            return Category.TEXTURE;
        }
        if (objects.stream().allMatch(o -> o.size() != null)) {
            return Category.SHAPE;
        }
        return Category.COLOR;
    }

    private static boolean startsWith(List<String> t, int pos, List<String> p) {
        return pos + p.size() <= t.size() && t.subList(pos, pos + p.size()).equals(p);
    }

    private static <E> E find(Map<E, String[]> words, String w) {
        for (Map.Entry<E, String[]> e : words.entrySet()) {
            for (String s : e.getValue()) {
                if (s.equals(w)) {
                    return e.getKey();
                }
            }
        }
        return null;
    }

    private static IllegalArgumentException error(String caption, String why) {
        return new IllegalArgumentException("cannot parse '" + caption + "': " + why);
    }
}
