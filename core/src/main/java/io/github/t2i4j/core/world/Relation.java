package io.github.t2i4j.core.world;

import java.util.Locale;

/**
 * Relations between two objects, "subject RELATION object", checked on their {@link Placement}s.
 *
 * <p>With {@code dx = object.x - subject.x} and {@code dy = object.y - subject.y} (y grows downwards)
 * and {@code ratio = subject.extent / object.extent}:
 *
 * <ul>
 *   <li>{@link #LEFT_OF}: {@code dx >= 0.08 && |dy| < dx} (the subject's centre is left of the object's
 *       by at least 8% of the width, and the horizontal offset dominates);
 *   <li>{@link #RIGHT_OF}: {@code -dx >= 0.08 && |dy| < -dx};
 *   <li>{@link #ABOVE}: {@code dy >= 0.08 && |dx| < dy};
 *   <li>{@link #BELOW}: {@code -dy >= 0.08 && |dx| < -dy};
 *   <li>{@link #BIGGER_THAN}: {@code ratio >= 1.3};
 *   <li>{@link #SMALLER_THAN}: {@code ratio <= 1 / 1.3};
 *   <li>{@link #SAME_SIZE_AS}: {@code 1 / 1.3 < ratio < 1.3}.
 * </ul>
 *
 * These are the evaluator's (lenient) definitions, {@link #holds}. Generated scenes satisfy the stricter
 * {@link #holdsClearly} (spatial: offset >= 0.2 and the cross offset at most half of it; size: the two
 * {@link Size}s, ratio 1.7 or exactly 1), so a few pixels of measurement error never flip a relation.
 */
public enum Relation {
    LEFT_OF(Kind.SPATIAL),
    RIGHT_OF(Kind.SPATIAL),
    ABOVE(Kind.SPATIAL),
    BELOW(Kind.SPATIAL),
    BIGGER_THAN(Kind.NON_SPATIAL),
    SMALLER_THAN(Kind.NON_SPATIAL),
    SAME_SIZE_AS(Kind.NON_SPATIAL);

    /** Whether a relation is about position or about something else (size). */
    public enum Kind {
        SPATIAL,
        NON_SPATIAL
    }

    /** Minimum centre offset (fraction of the image side) along the dominant axis for the evaluator. */
    public static final double SPATIAL_MARGIN = 0.08;
    /** Minimum dominant-axis offset in generated scenes. */
    public static final double CLEAR_SPATIAL_MARGIN = 0.2;
    /** Maximum cross-axis offset in generated scenes, as a fraction of the dominant offset. */
    public static final double CLEAR_CROSS_RATIO = 0.5;
    /** Extent ratio separating "bigger" from "same size". */
    public static final double SIZE_RATIO = 1.3;

    private final Kind kind;

    Relation(Kind kind) {
        this.kind = kind;
    }

    /** SPATIAL or NON_SPATIAL. */
    public Kind kind() {
        return kind;
    }

    /** True for the four position relations. */
    public boolean isSpatial() {
        return kind == Kind.SPATIAL;
    }

    /** The relation that holds with subject and object swapped: LEFT_OF &lt;-&gt; RIGHT_OF, etc. */
    public Relation inverse() {
        return switch (this) {
            case LEFT_OF -> RIGHT_OF;
            case RIGHT_OF -> LEFT_OF;
            case ABOVE -> BELOW;
            case BELOW -> ABOVE;
            case BIGGER_THAN -> SMALLER_THAN;
            case SMALLER_THAN -> BIGGER_THAN;
            case SAME_SIZE_AS -> SAME_SIZE_AS;
        };
    }

    /** Evaluator's check: does "subject this object" hold for these placements? */
    public boolean holds(Placement subject, Placement object) {
        double dx = object.x() - subject.x();
        double dy = object.y() - subject.y();
        double ratio = subject.extent() / object.extent();
        return switch (this) {
            case LEFT_OF -> dx >= SPATIAL_MARGIN && Math.abs(dy) < dx;
            case RIGHT_OF -> -dx >= SPATIAL_MARGIN && Math.abs(dy) < -dx;
            case ABOVE -> dy >= SPATIAL_MARGIN && Math.abs(dx) < dy;
            case BELOW -> -dy >= SPATIAL_MARGIN && Math.abs(dx) < -dy;
            case BIGGER_THAN -> ratio >= SIZE_RATIO;
            case SMALLER_THAN -> ratio <= 1 / SIZE_RATIO;
            case SAME_SIZE_AS -> ratio > 1 / SIZE_RATIO && ratio < SIZE_RATIO;
        };
    }

    /** Generator's stricter check; implies {@link #holds}. */
    public boolean holdsClearly(Placement subject, Placement object) {
        double dx = object.x() - subject.x();
        double dy = object.y() - subject.y();
        double ratio = subject.extent() / object.extent();
        return switch (this) {
            case LEFT_OF -> dx >= CLEAR_SPATIAL_MARGIN && Math.abs(dy) <= CLEAR_CROSS_RATIO * dx;
            case RIGHT_OF -> -dx >= CLEAR_SPATIAL_MARGIN && Math.abs(dy) <= CLEAR_CROSS_RATIO * -dx;
            case ABOVE -> dy >= CLEAR_SPATIAL_MARGIN && Math.abs(dx) <= CLEAR_CROSS_RATIO * dy;
            case BELOW -> -dy >= CLEAR_SPATIAL_MARGIN && Math.abs(dx) <= CLEAR_CROSS_RATIO * -dy;
            case BIGGER_THAN -> ratio >= 1.5;
            case SMALLER_THAN -> ratio <= 1 / 1.5;
            case SAME_SIZE_AS -> Math.abs(ratio - 1) < 1e-9;
        };
    }

    /** Convenience: {@link #holds} on two scene objects. */
    public boolean holds(SceneObject subject, SceneObject object) {
        return holds(subject.placement(), object.placement());
    }

    /** Lowercase key used in JSON, e.g. "left_of". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@link #key()}. */
    public static Relation of(String key) {
        return valueOf(key.toUpperCase(Locale.ROOT));
    }
}
