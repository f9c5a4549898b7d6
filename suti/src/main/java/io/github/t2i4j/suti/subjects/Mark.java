package io.github.t2i4j.suti.subjects;

import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.util.Locale;
import java.util.Objects;

/**
 * One painted layer of a subject's pattern, in the subject's unit frame: the box {@code [-0.5, 0.5]^2}
 * of its shape's outline (see {@link io.github.t2i4j.core.world.SceneRenderer#unitOutline}), x right
 * and y down. The layer is the {@link Kind} inside the box {@code [x0, x1] x [y0, y1]}, painted in
 * {@code paint} and clipped to the outline when drawn.
 */
public record Mark(Kind kind, double x0, double y0, double x1, double y1, Paint paint) {

    /** What a mark fills of its box. */
    public enum Kind {
        /** The whole box. */
        RECT,
        /** The ellipse inscribed in the box. */
        ELLIPSE,
        /** The triangle below the box's main diagonal (top-left to bottom-right): corners (x0,y0), (x1,y1), (x0,y1). */
        LOWER_LEFT,
        /** The triangle below the box's anti-diagonal (top-right to bottom-left): corners (x1,y0), (x1,y1), (x0,y1). */
        LOWER_RIGHT;

        /** Lowercase name used in JSON. */
        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }

        /** Parses {@link #key()}. */
        public static Kind of(String key) {
            return valueOf(key.toUpperCase(Locale.ROOT));
        }
    }

    public Mark {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(paint, "paint");
        if (!(x1 > x0 && y1 > y0)) {
            throw new IllegalArgumentException("empty mark box");
        }
    }

    /** The mark's geometry in the unit frame. */
    public java.awt.Shape geometry() {
        return switch (kind) {
            case RECT -> new Rectangle2D.Double(x0, y0, x1 - x0, y1 - y0);
            case ELLIPSE -> new Ellipse2D.Double(x0, y0, x1 - x0, y1 - y0);
            case LOWER_LEFT -> triangle(x0, y0, x1, y1, x0, y1);
            case LOWER_RIGHT -> triangle(x1, y0, x1, y1, x0, y1);
        };
    }

    /** Whether the unit-frame point lies in the mark. */
    public boolean contains(double u, double v) {
        return geometry().contains(u, v);
    }

    private static Path2D triangle(double ax, double ay, double bx, double by, double cx, double cy) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(ax, ay);
        p.lineTo(bx, by);
        p.lineTo(cx, cy);
        p.closePath();
        return p;
    }
}
