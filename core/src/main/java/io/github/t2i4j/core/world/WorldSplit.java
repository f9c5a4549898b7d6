package io.github.t2i4j.core.world;

import java.util.Map;
import java.util.Set;

/**
 * Training and held-out splits of the world.
 *
 * <p>The rule: six colour-shape pairs are reserved for held-out prompts, one per colour and one per
 * shape (a Latin-square diagonal), so every colour and every shape is still seen in training with five
 * partners:
 *
 * <pre>
 *   red diamond, green triangle, blue cross, yellow square, purple star, orange circle
 * </pre>
 *
 * {@link #TRAIN} prompts and scenes never contain a held-out pair, neither in a caption nor in any
 * rendered object (unmentioned colours are sampled around them). {@link #HELD_OUT} prompts always name
 * at least one held-out pair explicitly (colour and shape in one noun phrase); their other objects are
 * unconstrained.
 */
public enum WorldSplit {
    TRAIN,
    HELD_OUT;

    /** The held-out pairs, colour to its one held-out shape. */
    public static final Map<Colour, Shape> HELD_OUT_PAIRS =
            Map.of(
                    Colour.RED, Shape.DIAMOND,
                    Colour.GREEN, Shape.TRIANGLE,
                    Colour.BLUE, Shape.CROSS,
                    Colour.YELLOW, Shape.SQUARE,
                    Colour.PURPLE, Shape.STAR,
                    Colour.ORANGE, Shape.CIRCLE);

    static {
        if (Set.copyOf(HELD_OUT_PAIRS.values()).size() != Shape.values().length
                || HELD_OUT_PAIRS.size() != Colour.values().length) {
            throw new AssertionError("held-out pairs must be one per colour and one per shape");
        }
    }

    /** Whether the pair (colour, shape) appears only in held-out prompts. */
    public static boolean isHeldOut(Colour colour, Shape shape) {
        return HELD_OUT_PAIRS.get(colour) == shape;
    }

    /** Lowercase key, "train" or "held_out". */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
