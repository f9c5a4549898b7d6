package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.SceneRenderer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.image.BufferedImage;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws subjects as the world's {@link SceneRenderer} draws objects: Java2D, antialiased, deterministic,
 * 64x64 by default. The silhouette is the world's own outline of the subject's shape
 * ({@link SceneRenderer#unitOutline}), scaled to the extent times the image's smaller side and centred
 * on the scene's centre; it is filled with the body paint, then each other paint's visible region
 * (its marks within the outline, less the later marks painted over them) in one fill, as geometry so
 * its edges are antialiased too and marks of one paint that meet leave no seam.
 */
public final class SubjectRenderer {
    private final int width;
    private final int height;

    /** A 64x64 renderer. */
    public SubjectRenderer() {
        this(SceneRenderer.DEFAULT_SIZE, SceneRenderer.DEFAULT_SIZE);
    }

    /** A renderer of the given size in pixels. */
    public SubjectRenderer(int width, int height) {
        if (width < 8 || height < 8) {
            throw new IllegalArgumentException("image too small: " + width + "x" + height);
        }
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Renders the scene on its context's background. */
    public BufferedImage render(SubjectScene scene) {
        return render(scene.subject(), scene.x(), scene.y(), scene.extent(), scene.context().background().color());
    }

    /** Renders a subject centred at (x, y) (image fractions) with the given extent on any background colour. */
    public BufferedImage render(Subject subject, double x, double y, double extent, Color background) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(background);
            g.fillRect(0, 0, width, height);
            draw(g, subject, x, y, extent);
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Draws the subject onto a graphics context of this renderer's size (e.g. over a world scene). */
    public void draw(Graphics2D g, Subject subject, double x, double y, double extent) {
        AffineTransform t = transform(x, y, extent);
        g.setColor(subject.pattern().body().color());
        g.fill(t.createTransformedShape(SceneRenderer.unitOutline(subject.shape())));
        for (Map.Entry<Paint, Area> e : regions(subject).entrySet()) {
            g.setColor(e.getKey().color());
            g.fill(t.createTransformedShape(e.getValue()));
        }
    }

    /**
     * Each non-body paint's visible region in the unit frame: its marks within the outline, less the
     * later marks over them (cached: the geometry is the costly part of drawing).
     */
    private static Map<Paint, Area> regions(Subject subject) {
        synchronized (REGIONS) {
            Map<Paint, Area> cached = REGIONS.get(subject);
            if (cached != null) {
                return cached;
            }
        }
        Area outline = new Area(SceneRenderer.unitOutline(subject.shape()));
        List<Mark> marks = subject.pattern().marks();
        Map<Paint, Area> regions = new LinkedHashMap<>();
        Area above = new Area();
        for (int i = marks.size() - 1; i >= 0; i--) {
            Area a = new Area(marks.get(i).geometry());
            a.intersect(outline);
            Area visible = new Area(a);
            visible.subtract(above);
            above.add(a);
            regions.computeIfAbsent(marks.get(i).paint(), k -> new Area()).add(visible);
        }
        regions.remove(subject.pattern().body());
        Map<Paint, Area> out = Collections.unmodifiableMap(regions);
        synchronized (REGIONS) {
            REGIONS.put(subject, out);
        }
        return out;
    }

    /** Most subjects whose regions are kept. */
    private static final int CACHE = 1024;

    private static final Map<Subject, Map<Paint, Area>> REGIONS = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Subject, Map<Paint, Area>> eldest) {
            return size() > CACHE;
        }
    };

    /** Unit frame to pixels: scale by extent times min(width, height), centre at (x * width, y * height). */
    public AffineTransform transform(double x, double y, double extent) {
        double e = extent * Math.min(width, height);
        AffineTransform t = new AffineTransform();
        t.translate(x * width, y * height);
        t.scale(e, e);
        return t;
    }
}
