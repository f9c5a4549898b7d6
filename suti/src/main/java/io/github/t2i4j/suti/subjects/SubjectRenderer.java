package io.github.t2i4j.suti.subjects;

import io.github.t2i4j.core.world.SceneRenderer;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.image.BufferedImage;

/**
 * Draws subjects as the world's {@link SceneRenderer} draws objects: Java2D, antialiased, deterministic,
 * 64x64 by default. The silhouette is the world's own outline of the subject's shape
 * ({@link SceneRenderer#unitOutline}), scaled to the extent times the image's smaller side and centred
 * on the scene's centre; it is filled with the body paint, then each mark of the pattern, intersected
 * with the outline as geometry so its edges are antialiased too, in its paint.
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
        java.awt.Shape outline = t.createTransformedShape(SceneRenderer.unitOutline(subject.shape()));
        g.setColor(subject.pattern().body().color());
        g.fill(outline);
        for (Mark m : subject.pattern().marks()) {
            Area a = new Area(outline);
            a.intersect(new Area(t.createTransformedShape(m.geometry())));
            g.setColor(m.paint().color());
            g.fill(a);
        }
    }

    /** Unit frame to pixels: scale by extent times min(width, height), centre at (x * width, y * height). */
    public AffineTransform transform(double x, double y, double extent) {
        double e = extent * Math.min(width, height);
        AffineTransform t = new AffineTransform();
        t.translate(x * width, y * height);
        t.scale(e, e);
        return t;
    }
}
