package io.github.t2i4j.itercomp.preference;

import io.github.t2i4j.core.world.Category;
import java.util.List;
import java.util.Locale;

/**
 * The three compositional aspects of IterComp, one reward model each: attribute binding (the world's
 * colour, shape and texture prompts), spatial relations and non-spatial relations. Complex prompts
 * mix aspects and belong to none, as in the paper's preference data.
 */
public enum Aspect {
    ATTRIBUTE_BINDING(List.of(Category.COLOR, Category.SHAPE, Category.TEXTURE)),
    SPATIAL(List.of(Category.SPATIAL)),
    NON_SPATIAL(List.of(Category.NON_SPATIAL));

    private final List<Category> categories;

    Aspect(List<Category> categories) {
        this.categories = categories;
    }

    /** The world's prompt categories of this aspect; prompt {@code i} of the aspect is of category {@code i mod size}. */
    public List<Category> categories() {
        return categories;
    }

    /** The category of the aspect's {@code index}-th prompt: the categories take turns. */
    public Category categoryOf(long index) {
        return categories.get((int) Math.floorMod(index, (long) categories.size()));
    }

    /** Key for files and JSON: "attribute_binding", "spatial", "non_spatial". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()} (or the constant's name), naming the choices when it is neither. */
    public static Aspect of(String key) {
        for (Aspect a : values()) {
            if (a.key().equalsIgnoreCase(key) || a.name().equalsIgnoreCase(key)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown aspect '" + key + "'; expected one of attribute_binding, spatial, non_spatial");
    }

    /** The aspect a category belongs to, or null for complex and single-object prompts. */
    public static Aspect ofCategory(Category category) {
        for (Aspect a : values()) {
            if (a.categories.contains(category)) {
                return a;
            }
        }
        return null;
    }
}
