package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.Shape;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * The identity of a subject beyond its class shape: a body {@link Paint} and painted {@link Mark}s
 * over it (later marks on top), laid out by an {@link Arrangement} and then decorated with up to two
 * small marks. Every pattern uses two or three paints, each covering a visible share of the silhouette.
 */
public record SubjectPattern(Arrangement arrangement, Paint body, List<Mark> marks) {

    /** Smallest RGB distance between two paints of one subject (so they stay apart after blur and casts). */
    public static final double MIN_PAINT_DISTANCE = 0.3;
    /** Smallest share of the silhouette each of a subject's paints covers. */
    public static final double MIN_SHARE = 0.08;
    /** Side of the grid {@link #shares} is measured on. */
    static final int SHARE_GRID = 48;

    public SubjectPattern {
        Objects.requireNonNull(arrangement, "arrangement");
        Objects.requireNonNull(body, "body");
        marks = List.copyOf(marks);
    }

    /** The paint at a unit-frame point (the last mark holding it, else the body); outline not checked. */
    public Paint paintAt(double u, double v) {
        for (int i = marks.size() - 1; i >= 0; i--) {
            if (marks.get(i).contains(u, v)) {
                return marks.get(i).paint();
            }
        }
        return body;
    }

    /** The distinct paints, body first. */
    public List<Paint> paints() {
        LinkedHashSet<Paint> out = new LinkedHashSet<>();
        out.add(body);
        for (Mark m : marks) {
            out.add(m.paint());
        }
        return List.copyOf(out);
    }

    /** Share of the shape's silhouette (sampled on a grid) each of {@link #paints()} covers, in that order. */
    public double[] shares(Shape shape) {
        java.awt.Shape outline = SceneRenderer.unitOutline(shape);
        List<Paint> paints = paints();
        double[] count = new double[paints.size()];
        int inside = 0;
        for (int j = 0; j < SHARE_GRID; j++) {
            double v = -0.5 + (j + 0.5) / SHARE_GRID;
            for (int i = 0; i < SHARE_GRID; i++) {
                double u = -0.5 + (i + 0.5) / SHARE_GRID;
                if (outline.contains(u, v)) {
                    inside++;
                    count[paints.indexOf(paintAt(u, v))]++;
                }
            }
        }
        for (int k = 0; k < count.length; k++) {
            count[k] /= Math.max(1, inside);
        }
        return count;
    }

    /**
     * The pattern sampled on a {@code grid x grid} lattice of the unit frame (cell centres, row-major):
     * the index in {@link Paint#ALL} of the paint at each point inside the shape's outline, -1 outside.
     */
    public int[] paintMap(Shape shape, int grid) {
        java.awt.Shape outline = SceneRenderer.unitOutline(shape);
        int[] out = new int[grid * grid];
        for (int j = 0; j < grid; j++) {
            double v = -0.5 + (j + 0.5) / grid;
            for (int i = 0; i < grid; i++) {
                double u = -0.5 + (i + 0.5) / grid;
                out[j * grid + i] = outline.contains(u, v) ? Paint.ALL.indexOf(paintAt(u, v)) : -1;
            }
        }
        return out;
    }

    /**
     * A random pattern for a subject of the given shape: two or three paints at least
     * {@link #MIN_PAINT_DISTANCE} apart, an arrangement, zero to two small marks inside the outline;
     * drawn again until every paint covers at least {@link #MIN_SHARE} of the silhouette. Coordinates
     * are rounded to 0.001 so the catalog file is exact.
     */
    public static SubjectPattern sample(Shape shape, SplittableRandom rng) {
        java.awt.Shape outline = SceneRenderer.unitOutline(shape);
        while (true) {
            List<Paint> palette = palette(rng.nextDouble() < 0.5 ? 2 : 3, rng);
            Arrangement arrangement = Arrangement.values()[rng.nextInt(Arrangement.values().length)];
            Paint body = palette.get(0);
            List<Mark> marks = new ArrayList<>(layout(arrangement, palette, rng));
            SubjectPattern base = new SubjectPattern(arrangement, body, marks);
            boolean needThird = palette.size() == 3 && !base.paints().contains(palette.get(2));
            int extra = Math.max(needThird ? 1 : 0, rng.nextInt(3));
            for (int k = 0; k < extra; k++) {
                Mark m = smallMark(outline, new SubjectPattern(arrangement, body, marks), palette,
                        needThird && k == 0 ? palette.get(2) : null, rng);
                if (m != null) {
                    marks.add(m);
                }
            }
            SubjectPattern p = new SubjectPattern(arrangement, body, marks);
            if (p.paints().size() < 2 || p.paints().size() != palette.size()) {
                continue;
            }
            double min = 1;
            for (double s : p.shares(shape)) {
                min = Math.min(min, s);
            }
            if (min >= MIN_SHARE) {
                return p;
            }
        }
    }

    private static List<Paint> palette(int n, SplittableRandom rng) {
        List<Paint> out = new ArrayList<>();
        while (out.size() < n) {
            Paint p = Paint.ALL.get(rng.nextInt(Paint.ALL.size()));
            boolean far = true;
            for (Paint q : out) {
                far &= p.distance(q) >= MIN_PAINT_DISTANCE;
            }
            if (far) {
                out.add(p);
            }
        }
        return out;
    }

    private static List<Mark> layout(Arrangement arrangement, List<Paint> palette, SplittableRandom rng) {
        List<Mark> out = new ArrayList<>();
        Paint body = palette.get(0);
        switch (arrangement) {
            case QUADRANTS -> {
                double sx = r3(-0.1 + 0.2 * rng.nextDouble());
                double sy = r3(-0.1 + 0.2 * rng.nextDouble());
                double[][] boxes = {
                    {-0.5, -0.5, sx, sy}, {sx, -0.5, 0.5, sy}, {-0.5, sy, sx, 0.5}, {sx, sy, 0.5, 0.5}
                };
                Paint[] q = new Paint[4];
                do {
                    for (int i = 0; i < 4; i++) {
                        q[i] = palette.get(rng.nextInt(palette.size()));
                    }
                } while (!allUsed(q, palette));
                for (int i = 0; i < 4; i++) {
                    if (!q[i].equals(body)) {
                        double[] b = boxes[i];
                        out.add(new Mark(Mark.Kind.RECT, b[0], b[1], b[2], b[3], q[i]));
                    }
                }
            }
            case BANDS -> {
                int n = 2 + rng.nextInt(3);
                boolean vertical = rng.nextBoolean();
                Paint previous = body;
                for (int i = 1; i < n; i++) {
                    Paint p;
                    do {
                        p = palette.get(rng.nextInt(palette.size()));
                    } while (p.equals(previous));
                    previous = p;
                    if (!p.equals(body)) {
                        double a = r3(-0.5 + (double) i / n);
                        double b = r3(-0.5 + (double) (i + 1) / n);
                        out.add(vertical
                                ? new Mark(Mark.Kind.RECT, a, -0.5, b, 0.5, p)
                                : new Mark(Mark.Kind.RECT, -0.5, a, 0.5, b, p));
                    }
                }
            }
            case DIAGONAL -> out.add(new Mark(
                    rng.nextBoolean() ? Mark.Kind.LOWER_LEFT : Mark.Kind.LOWER_RIGHT, -0.5, -0.5, 0.5, 0.5, palette.get(1)));
            case CORE -> {
                double cx = r3(-0.06 + 0.12 * rng.nextDouble());
                double cy = r3(-0.06 + 0.12 * rng.nextDouble());
                double r = r3(0.2 + 0.1 * rng.nextDouble());
                out.add(new Mark(Mark.Kind.ELLIPSE, r3(cx - r), r3(cy - r), r3(cx + r), r3(cy + r), palette.get(1)));
                if (palette.size() == 3) {
                    double ri = r3(r * 0.5);
                    out.add(new Mark(Mark.Kind.ELLIPSE, r3(cx - ri), r3(cy - ri), r3(cx + ri), r3(cy + ri), palette.get(2)));
                }
            }
        }
        return out;
    }

    /** A small rect or ellipse inside the outline, in {@code forced} or a palette paint unlike the one under it. */
    private static Mark smallMark(
            java.awt.Shape outline, SubjectPattern under, List<Paint> palette, Paint forced, SplittableRandom rng) {
        Mark.Kind kind = rng.nextBoolean() ? Mark.Kind.RECT : Mark.Kind.ELLIPSE;
        double s = 0.14 + 0.08 * rng.nextDouble();
        for (int attempt = 0; attempt < 64; attempt++) {
            double cx = -0.4 + 0.8 * rng.nextDouble();
            double cy = -0.4 + 0.8 * rng.nextDouble();
            double h = 0.35 * s;
            if (!(outline.contains(cx, cy) && outline.contains(cx - h, cy - h) && outline.contains(cx + h, cy - h)
                    && outline.contains(cx - h, cy + h) && outline.contains(cx + h, cy + h))) {
                continue;
            }
            Paint below = under.paintAt(cx, cy);
            Paint p = forced;
            if (p == null) {
                List<Paint> options = palette.stream().filter(q -> !q.equals(below)).toList();
                p = options.get(rng.nextInt(options.size()));
            } else if (p.equals(below)) {
                continue;
            }
            return new Mark(kind, r3(cx - s / 2), r3(cy - s / 2), r3(cx + s / 2), r3(cy + s / 2), p);
        }
        return null;
    }

    private static boolean allUsed(Paint[] q, List<Paint> palette) {
        for (Paint p : palette) {
            boolean used = false;
            for (Paint x : q) {
                used |= x.equals(p);
            }
            if (!used) {
                return false;
            }
        }
        return true;
    }

    private static double r3(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
