package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Size;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Demonstrations of a subject (SuTI's 3 to 5 image-text pairs) and new-context prompts for it. The
 * demonstrations of one subject vary in context: distinct positions, both sizes (from two
 * demonstrations on), and backgrounds cycling through a shuffled order (all distinct up to four). New
 * prompts ask for contexts that no demonstration shows, so that copying a demonstration cannot meet
 * them.
 */
public final class Demonstrations {
    /** Fewest demonstrations per subject. */
    public static final int MIN = 3;
    /** Most demonstrations per subject. */
    public static final int MAX = 5;

    private final SubjectRenderer renderer;

    /** Demonstrations drawn by the given renderer. */
    public Demonstrations(SubjectRenderer renderer) {
        this.renderer = renderer;
    }

    /** Demonstrations at 64x64. */
    public Demonstrations() {
        this(new SubjectRenderer());
    }

    /** {@code k} ({@value #MIN} to {@value #MAX}) demonstrations of the subject. */
    public List<Demonstration> sample(Subject subject, int k, SplittableRandom rng) {
        if (k < MIN || k > MAX) {
            throw new IllegalArgumentException("SuTI takes " + MIN + " to " + MAX + " demonstrations, got " + k);
        }
        List<Position> positions = shuffled(Position.values(), rng);
        List<Background> backgrounds = shuffled(Background.values(), rng);
        Size first = rng.nextBoolean() ? Size.SMALL : Size.LARGE;
        List<Demonstration> out = new ArrayList<>(k);
        for (int i = 0; i < k; i++) {
            Size size = i == 0 ? first : i == 1 ? other(first) : Size.values()[rng.nextInt(Size.values().length)];
            SubjectContext context = new SubjectContext(positions.get(i), size, backgrounds.get(i % backgrounds.size()));
            SubjectScene scene = SubjectScene.stage(subject, context, rng);
            out.add(new Demonstration(scene, renderer.render(scene), ContextCaptions.caption(subject, context, rng)));
        }
        return out;
    }

    /** {@code n} prompts asking for the subject in distinct contexts that none of {@code shown} is. */
    public static List<SubjectPrompt> prompts(Subject subject, List<SubjectContext> shown, int n, SplittableRandom rng) {
        Set<SubjectContext> used = new HashSet<>(shown);
        int total = Position.values().length * Size.values().length * Background.values().length;
        if (used.size() + n > total) {
            throw new IllegalArgumentException("only " + (total - used.size()) + " new contexts left, asked for " + n);
        }
        List<SubjectPrompt> out = new ArrayList<>(n);
        while (out.size() < n) {
            SubjectContext c = randomContext(rng);
            if (used.add(c)) {
                out.add(new SubjectPrompt(subject, ContextCaptions.prompt(subject, c, rng), c));
            }
        }
        return out;
    }

    /** {@code n} prompts asking for the subject in contexts that none of its demonstrations shows. */
    public static List<SubjectPrompt> newContextPrompts(
            Subject subject, List<Demonstration> demonstrations, int n, SplittableRandom rng) {
        return prompts(subject, demonstrations.stream().map(Demonstration::context).toList(), n, rng);
    }

    /** A uniformly random context. */
    public static SubjectContext randomContext(SplittableRandom rng) {
        return new SubjectContext(
                Position.values()[rng.nextInt(Position.values().length)],
                Size.values()[rng.nextInt(Size.values().length)],
                Background.values()[rng.nextInt(Background.values().length)]);
    }

    private static Size other(Size s) {
        return s == Size.SMALL ? Size.LARGE : Size.SMALL;
    }

    private static <T> List<T> shuffled(T[] values, SplittableRandom rng) {
        List<T> out = new ArrayList<>(Arrays.asList(values));
        for (int i = out.size() - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            T t = out.get(i);
            out.set(i, out.get(j));
            out.set(j, t);
        }
        return out;
    }
}
