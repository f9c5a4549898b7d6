package io.github.t2i4j.core.world;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Samples a prompt of a category, then a scene that satisfies it, then a caption for it.
 *
 * <p>Procedure: draw every object's full attributes (uniform shape, colour, texture, size; in
 * {@link WorldSplit#TRAIN} colours are redrawn until no object is a held-out pair, in
 * {@link WorldSplit#HELD_OUT} one random object gets the held-out colour of its shape and its colour
 * is always mentioned); draw the relations and make sizes agree with any size relation; decide which
 * attributes the caption mentions (see {@link Category}); reject if one object's description would
 * also fit another object; place objects uniformly at random (centres on a 0.001 grid, bounding boxes
 * inside the image with a 0.03 border and at least 0.04 apart) until every relation
 * {@link Relation#holdsClearly holds clearly}; finally phrase it with {@link CaptionGrammar}. Anything
 * that fails starts over with fresh draws, so the result depends only on the random stream.
 *
 * <p>What each category mentions: COLOR: shape and colour (colours differ); SHAPE: shape and size,
 * colour with probability 0.5; TEXTURE: shape and texture (textures differ), colour with probability
 * 0.5; SPATIAL: shape, colour (0.7), texture (0.15), size (0.15) and one spatial relation;
 * NON_SPATIAL: shape, colour (0.7), texture (0.15) and one size relation; COMPLEX: three distinct
 * shapes, colour (0.8), texture (0.35), size (0.25, only on objects in no size relation), a spatial
 * relation and a second relation (spatial or not, equally likely) sharing an object with it; SINGLE:
 * shape, and each of colour, texture and size with probability 0.6.
 */
public final class SceneSampler {
    /** Border between bounding boxes and the image edge, as a fraction of the side. */
    public static final double BORDER = 0.03;
    /** Minimum gap between two objects' bounding boxes, as a fraction of the side. */
    public static final double GAP = 0.04;

    private static final Relation[] SPATIAL = {Relation.LEFT_OF, Relation.RIGHT_OF, Relation.ABOVE, Relation.BELOW};
    private static final Relation[] NON_SPATIAL = {Relation.BIGGER_THAN, Relation.SMALLER_THAN, Relation.SAME_SIZE_AS};

    private final WorldSplit split;

    /** A sampler for one split. */
    public SceneSampler(WorldSplit split) {
        this.split = split;
    }

    public WorldSplit split() {
        return split;
    }

    /** A category drawn uniformly from all seven (the six T2I-CompBench ones and SINGLE), then an example. */
    public WorldExample sample(SplittableRandom rng) {
        Category[] all = Category.values();
        return sample(all[rng.nextInt(all.length)], rng);
    }

    /** An example of the given category. */
    public WorldExample sample(Category category, SplittableRandom rng) {
        for (int attempt = 0; attempt < 10_000; attempt++) {
            WorldExample e = attempt(category, rng);
            if (e != null) {
                return e;
            }
        }
        throw new IllegalStateException("could not sample a " + category.key() + " example");
    }

    private WorldExample attempt(Category category, SplittableRandom rng) {
        int n = switch (category) {
            case SINGLE -> 1;
            case COMPLEX -> 3;
            default -> 2;
        };
        Shape[] shapes = new Shape[n];
        Colour[] colours = new Colour[n];
        Texture[] textures = new Texture[n];
        Size[] sizes = new Size[n];
        for (int i = 0; i < n; i++) {
            shapes[i] = pick(Shape.values(), rng);
            colours[i] = pick(Colour.values(), rng);
            textures[i] = pick(Texture.values(), rng);
            sizes[i] = pick(Size.values(), rng);
            if (split == WorldSplit.TRAIN) {
                while (WorldSplit.isHeldOut(colours[i], shapes[i])) {
                    colours[i] = pick(Colour.values(), rng);
                }
            }
        }
        int key = -1;
        if (split == WorldSplit.HELD_OUT) {
            key = rng.nextInt(n);
            colours[key] = heldOutColour(shapes[key]);
        }
        List<RelationSpec> relations = new ArrayList<>();
        boolean[] inSizeRelation = new boolean[n];
        switch (category) {
            case SPATIAL -> relations.add(new RelationSpec(0, pick(SPATIAL, rng), 1));
            case NON_SPATIAL -> relations.add(new RelationSpec(0, pick(NON_SPATIAL, rng), 1));
            case COMPLEX -> {
                int a = rng.nextInt(3);
                int b = (a + 1 + rng.nextInt(2)) % 3;
                int c = 3 - a - b;
                relations.add(orient(a, pick(SPATIAL, rng), b, rng));
                Relation second = rng.nextBoolean() ? pick(SPATIAL, rng) : pick(NON_SPATIAL, rng);
                relations.add(orient(a, second, c, rng));
            }
            default -> {}
        }
        for (RelationSpec r : relations) {
            switch (r.relation()) {
                case BIGGER_THAN -> {
                    sizes[r.subject()] = Size.LARGE;
                    sizes[r.object()] = Size.SMALL;
                }
                case SMALLER_THAN -> {
                    sizes[r.subject()] = Size.SMALL;
                    sizes[r.object()] = Size.LARGE;
                }
                case SAME_SIZE_AS -> sizes[r.object()] = sizes[r.subject()];
                default -> {}
            }
            if (!r.relation().isSpatial()) {
                inSizeRelation[r.subject()] = true;
                inSizeRelation[r.object()] = true;
            }
        }
        switch (category) {
            case COLOR -> {
                if (colours[0] == colours[1]) {
                    return null;
                }
            }
            case TEXTURE -> {
                if (textures[0] == textures[1]) {
                    return null;
                }
            }
            case COMPLEX -> {
                if (shapes[0] == shapes[1] || shapes[0] == shapes[2] || shapes[1] == shapes[2]) {
                    return null;
                }
            }
            default -> {}
        }
        List<ObjectSpec> specs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            boolean mustColour = i == key;
            boolean colour;
            boolean texture;
            boolean size;
            switch (category) {
                case COLOR -> {
                    colour = true;
                    texture = false;
                    size = false;
                }
                case SHAPE -> {
                    colour = mustColour || rng.nextDouble() < 0.5;
                    texture = false;
                    size = true;
                }
                case TEXTURE -> {
                    colour = mustColour || rng.nextDouble() < 0.5;
                    texture = true;
                    size = false;
                }
                case SPATIAL -> {
                    colour = mustColour || rng.nextDouble() < 0.7;
                    texture = rng.nextDouble() < 0.15;
                    size = rng.nextDouble() < 0.15;
                }
                case NON_SPATIAL -> {
                    colour = mustColour || rng.nextDouble() < 0.7;
                    texture = rng.nextDouble() < 0.15;
                    size = false;
                }
                case COMPLEX -> {
                    colour = mustColour || rng.nextDouble() < 0.8;
                    texture = rng.nextDouble() < 0.35;
                    size = !inSizeRelation[i] && rng.nextDouble() < 0.25;
                }
                default -> {
                    colour = mustColour || rng.nextDouble() < 0.6;
                    texture = rng.nextDouble() < 0.6;
                    size = rng.nextDouble() < 0.6;
                }
            }
            specs.add(new ObjectSpec(
                    shapes[i], colour ? colours[i] : null, texture ? textures[i] : null, size ? sizes[i] : null));
        }
        List<SceneObject> objects = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            objects.add(new SceneObject(shapes[i], colours[i], textures[i], sizes[i], 0.5, 0.5));
        }
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j && specs.get(i).matches(objects.get(j))) {
                    return null;
                }
            }
        }
        List<SceneObject> placed = place(objects, relations, rng);
        if (placed == null) {
            return null;
        }
        Scene scene = new Scene(pick(Background.values(), rng), placed);
        CompositionPrompt structure = new CompositionPrompt("", category, specs, relations);
        if (!structure.isSatisfiedBy(scene)) {
            throw new AssertionError("sampled scene does not satisfy its prompt: " + scene + " " + structure);
        }
        return new WorldExample(structure.withCaption(CaptionGrammar.caption(structure, rng)), scene);
    }

    /** Either "a r b" or the same fact as "b inverse(r) a", to vary which object is the subject. */
    private static RelationSpec orient(int a, Relation r, int b, SplittableRandom rng) {
        RelationSpec spec = new RelationSpec(a, r, b);
        return rng.nextBoolean() ? spec : spec.inverted();
    }

    /**
     * Places {@code objects} (their positions are ignored) at random on a 0.001 grid inside the
     * border, without overlaps and with every relation holding clearly: up to 300 tries, null if
     * none succeeds. Planners that turn a prompt into a layout use it too.
     */
    public static List<SceneObject> place(List<SceneObject> objects, List<RelationSpec> relations, SplittableRandom rng) {
        int n = objects.size();
        for (int attempt = 0; attempt < 300; attempt++) {
            List<SceneObject> placed = new ArrayList<>();
            for (SceneObject o : objects) {
                double half = o.size().extent() / 2;
                double lo = half + BORDER;
                double hi = 1 - half - BORDER;
                placed.add(o.at(grid(lo + rng.nextDouble() * (hi - lo)), grid(lo + rng.nextDouble() * (hi - lo))));
            }
            if (valid(placed, relations, n)) {
                return placed;
            }
        }
        return null;
    }

    private static boolean valid(List<SceneObject> placed, List<RelationSpec> relations, int n) {
        for (int i = 0; i < n; i++) {
            for (int j = i + 1; j < n; j++) {
                SceneObject a = placed.get(i);
                SceneObject b = placed.get(j);
                double reach = (a.size().extent() + b.size().extent()) / 2 + GAP;
                if (Math.abs(a.x() - b.x()) < reach && Math.abs(a.y() - b.y()) < reach) {
                    return false;
                }
            }
        }
        for (RelationSpec r : relations) {
            if (!r.relation().holdsClearly(placed.get(r.subject()).placement(), placed.get(r.object()).placement())) {
                return false;
            }
        }
        return true;
    }

    /** Rounds to the nearest multiple of 0.001 (moves a box by at most 0.0005, well inside the border). */
    private static double grid(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static Colour heldOutColour(Shape shape) {
        for (Colour c : Colour.values()) {
            if (WorldSplit.isHeldOut(c, shape)) {
                return c;
            }
        }
        throw new AssertionError("no held-out colour for " + shape);
    }

    private static <T> T pick(T[] values, SplittableRandom rng) {
        return values[rng.nextInt(values.length)];
    }
}
