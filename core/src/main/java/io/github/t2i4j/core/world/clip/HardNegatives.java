package io.github.t2i4j.core.world.clip;

import io.github.t2i4j.core.world.CaptionGrammar;
import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.ObjectSpec;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import io.github.t2i4j.core.world.WorldExample;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * NegCLIP-style hard negatives (Yuksekgonul et al., "When and why vision-language models behave like
 * bags-of-words", ICLR 2023): for a (render, caption) pair, a caption of the same structure with one
 * attribute of one object changed so that the render no longer satisfies it. Trained against them,
 * a CLIP has to read every attribute word; trained on random batches alone, the world CLIP learned
 * colour, shape and position, which tell most pairs apart, and all but ignored texture, so generators
 * conditioned on its frozen text tower could not follow "striped" or "dotted".
 *
 * <p>Changed attributes (each {@link Kind}): the texture (also on an object whose caption does not
 * name one: the new texture contradicts the rendered object's), the colour, the shape, the size, and
 * for two or more objects the swap of two objects' colours (attribute binding).
 */
public final class HardNegatives {
    /** What a negative changes. */
    public enum Kind {
        TEXTURE,
        COLOUR,
        SHAPE,
        SIZE,
        SWAP_COLOURS
    }

    /** How often each kind is drawn (texture first: the attribute the CLIP ignored). */
    private static final Kind[] DRAW = {Kind.TEXTURE, Kind.TEXTURE, Kind.TEXTURE, Kind.COLOUR, Kind.SHAPE, Kind.SIZE,
        Kind.SWAP_COLOURS};
    private static final int ATTEMPTS = 20;

    private HardNegatives() {}

    /** An example and a caption that contradicts it by one {@link Kind}. */
    public record Pair(WorldExample example, String negative) {}

    /**
     * One negative of {@code kind} for every example that has one, in order, drawn from {@code
     * seed}: the pairs the held-out measures score ({@code ClipRetrieval.hardNegativeAccuracy},
     * {@code SequenceSeparation.heldOutCosine}), the same for both.
     */
    public static List<Pair> pairs(List<WorldExample> examples, Kind kind, long seed) {
        SplittableRandom rng = new SplittableRandom(seed * 31 + kind.ordinal());
        List<Pair> out = new ArrayList<>();
        for (WorldExample e : examples) {
            String neg = caption(e, kind, rng);
            if (neg != null) {
                out.add(new Pair(e, neg));
            }
        }
        return out;
    }

    /** A negative caption drawn as {@link #DRAW} says; null when none of the attempts contradicts the render. */
    public static String caption(WorldExample example, SplittableRandom rng) {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            String c = caption(example, DRAW[rng.nextInt(DRAW.length)], rng);
            if (c != null) {
                return c;
            }
        }
        return null;
    }

    /**
     * A negative caption of the given kind: {@link #prompt} captioned by the world grammar; null when
     * this kind cannot contradict the example.
     */
    public static String caption(WorldExample example, Kind kind, SplittableRandom rng) {
        CompositionPrompt negative = prompt(example, kind, rng);
        return negative == null ? null : CaptionGrammar.caption(negative, rng);
    }

    /**
     * The example's prompt with one change of the given kind that its render does not satisfy; null
     * when this kind cannot contradict it (e.g. a colour swap between objects of one colour) within
     * a few draws.
     */
    public static CompositionPrompt prompt(WorldExample example, Kind kind, SplittableRandom rng) {
        CompositionPrompt p = example.prompt();
        Scene scene = example.scene();
        int[] assignment = p.match(scene.objects()).assignment();
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<ObjectSpec> objs = new ArrayList<>(p.objects());
            int i = rng.nextInt(objs.size());
            ObjectSpec o = objs.get(i);
            SceneObject rendered = assignment[i] >= 0 ? scene.objects().get(assignment[i]) : null;
            switch (kind) {
                case TEXTURE -> {
                    Texture actual = o.texture() != null ? o.texture() : rendered != null ? rendered.texture() : null;
                    objs.set(i, new ObjectSpec(o.shape(), o.colour(), other(Texture.values(), actual, rng), o.size()));
                }
                case COLOUR -> {
                    Colour actual = o.colour() != null ? o.colour() : rendered != null ? rendered.colour() : null;
                    objs.set(i, new ObjectSpec(o.shape(), other(Colour.values(), actual, rng), o.texture(), o.size()));
                }
                case SHAPE -> {
                    // a shape no other object has: the grammar names objects apart by shape
                    Shape s = other(Shape.values(), o.shape(), rng);
                    if (objs.stream().anyMatch(x -> x.shape() == s)) {
                        continue;
                    }
                    objs.set(i, new ObjectSpec(s, o.colour(), o.texture(), o.size()));
                }
                case SIZE -> {
                    Size actual = o.size() != null ? o.size() : rendered != null ? rendered.size() : null;
                    objs.set(i, new ObjectSpec(o.shape(), o.colour(), o.texture(), other(Size.values(), actual, rng)));
                }
                case SWAP_COLOURS -> {
                    if (objs.size() < 2) {
                        return null;
                    }
                    int j = (i + 1 + rng.nextInt(objs.size() - 1)) % objs.size();
                    ObjectSpec a = objs.get(i);
                    ObjectSpec b = objs.get(j);
                    if (a.colour() == null || b.colour() == null || a.colour() == b.colour()) {
                        continue;
                    }
                    objs.set(i, new ObjectSpec(a.shape(), b.colour(), a.texture(), a.size()));
                    objs.set(j, new ObjectSpec(b.shape(), a.colour(), b.texture(), b.size()));
                }
            }
            CompositionPrompt negative = new CompositionPrompt(p.caption(), p.category(), objs, p.relations());
            if (!negative.isSatisfiedBy(scene)) {
                return negative;
            }
        }
        return null;
    }

    private static <T> T other(T[] values, T actual, SplittableRandom rng) {
        T v;
        do {
            v = values[rng.nextInt(values.length)];
        } while (v == actual);
        return v;
    }
}
