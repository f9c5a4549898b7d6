package io.github.t2i4j.core.world;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.image.Images;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.Map;

/**
 * Draws {@link Scene}s with Java2D: antialiased, at any size (64x64 by default), deterministic (same
 * scene and size, same pixels). The background is filled with its exact colour, then each object's
 * outline (see {@link Shape}) with its exact base colour, then its texture pattern, intersected with the
 * outline as geometry (not a hard clip) so pattern edges are antialiased too, in the colour's
 * {@link Colour#shade() shade} (see {@link Texture} for the pattern sizes).
 *
 * <p>Scenes are laid out for square images; on a non-square image positions scale with width and
 * height and extents with the smaller side.
 */
public final class SceneRenderer {
    /** Default image side. */
    public static final int DEFAULT_SIZE = 64;
    /** Star inner radius relative to the outer radius (a bit fatter than the regular 0.382 to survive 64x64). */
    static final double STAR_INNER = 0.45;
    /** Width of the cross's arms relative to its extent. */
    static final double CROSS_ARM = 0.38;

    private static final Map<Shape, java.awt.Shape> UNIT = new EnumMap<>(Shape.class);

    static {
        for (Shape s : Shape.values()) {
            UNIT.put(s, normalise(raw(s)));
        }
    }

    private final int width;
    private final int height;

    /** A 64x64 renderer. */
    public SceneRenderer() {
        this(DEFAULT_SIZE, DEFAULT_SIZE);
    }

    /** A square renderer of the given side. */
    public SceneRenderer(int size) {
        this(size, size);
    }

    /** A renderer of the given size in pixels. */
    public SceneRenderer(int width, int height) {
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

    /** Renders the scene as an RGB image. */
    public BufferedImage render(Scene scene) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
            g.setColor(scene.background().color());
            g.fillRect(0, 0, width, height);
            for (SceneObject o : scene.objects()) {
                java.awt.Shape outline = outline(o, width, height);
                g.setColor(o.colour().color());
                g.fill(outline);
                if (o.texture() != Texture.SOLID) {
                    Area pattern = new Area(outline);
                    pattern.intersect(pattern(o, outline.getBounds2D()));
                    g.setColor(o.colour().shade());
                    g.fill(pattern);
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** Renders the scene as a [3, H, W] float array in [-1, 1] (see {@link Images#toCHW}). */
    public float[] renderCHW(Scene scene) {
        return Images.toCHW(render(scene));
    }

    /** Renders the scene as a [3, H, W] float32 NDArray in [-1, 1] on the given manager. */
    public NDArray renderTensor(Scene scene, NDManager manager) {
        return HostArrays.owned(manager.create(renderCHW(scene), new ai.djl.ndarray.types.Shape(3, height, width)));
    }

    /**
     * The object's outline in pixel coordinates of a {@code width x height} image: the unit shape
     * scaled to the object's extent (times min(width, height)) and centred at (x * width, y * height).
     */
    public static java.awt.Shape outline(SceneObject o, int width, int height) {
        double e = o.size().extent() * Math.min(width, height);
        AffineTransform t = new AffineTransform();
        t.translate(o.x() * width, o.y() * height);
        t.scale(e, e);
        return t.createTransformedShape(UNIT.get(o.shape()));
    }

    /** The shape with its bounding box's larger side 1, centred on the origin (y down). */
    public static java.awt.Shape unitOutline(Shape shape) {
        return UNIT.get(shape);
    }

    private Area pattern(SceneObject o, Rectangle2D box) {
        Path2D.Double p = new Path2D.Double();
        if (o.texture() == Texture.STRIPED) {
            double period = height / 16.0;
            for (double y = box.getMinY() + period / 4; y < box.getMaxY(); y += period) {
                p.append(new Rectangle2D.Double(box.getMinX() - 1, y, box.getWidth() + 2, period / 2), false);
            }
        } else {
            double side = Math.min(width, height);
            double spacing = side / 11.5;
            double radius = side / 40.0;
            double rowStep = spacing * Math.sqrt(3) / 2;
            double cx = o.x() * width;
            double cy = o.y() * height;
            int rows = (int) Math.ceil(box.getHeight() / rowStep) + 1;
            int cols = (int) Math.ceil(box.getWidth() / spacing) + 1;
            for (int r = -rows; r <= rows; r++) {
                double y = cy + r * rowStep;
                double shift = (r & 1) == 0 ? 0 : spacing / 2;
                for (int c = -cols; c <= cols; c++) {
                    double x = cx + c * spacing + shift;
                    if (x + radius > box.getMinX() && x - radius < box.getMaxX()
                            && y + radius > box.getMinY() && y - radius < box.getMaxY()) {
                        p.append(new Ellipse2D.Double(x - radius, y - radius, 2 * radius, 2 * radius), false);
                    }
                }
            }
        }
        return new Area(p);
    }

    private static java.awt.Shape raw(Shape shape) {
        return switch (shape) {
            case CIRCLE -> new Ellipse2D.Double(-0.5, -0.5, 1, 1);
            case SQUARE -> new Rectangle2D.Double(-0.5, -0.5, 1, 1);
            case TRIANGLE -> polygon(new double[] {0, 0.5, -0.5}, new double[] {-0.5, 0.5, 0.5});
            case DIAMOND -> polygon(new double[] {0, 0.5, 0, -0.5}, new double[] {-0.5, 0, 0.5, 0});
            case CROSS -> {
                double a = CROSS_ARM / 2;
                yield polygon(
                        new double[] {-a, a, a, 0.5, 0.5, a, a, -a, -a, -0.5, -0.5, -a},
                        new double[] {-0.5, -0.5, -a, -a, a, a, 0.5, 0.5, a, a, -a, -a});
            }
            case STAR -> {
                double[] xs = new double[10];
                double[] ys = new double[10];
                for (int i = 0; i < 10; i++) {
                    double r = (i % 2 == 0) ? 1 : STAR_INNER;
                    double angle = -Math.PI / 2 + i * Math.PI / 5;
                    xs[i] = r * Math.cos(angle);
                    ys[i] = r * Math.sin(angle);
                }
                yield polygon(xs, ys);
            }
        };
    }

    private static Path2D polygon(double[] xs, double[] ys) {
        Path2D.Double p = new Path2D.Double();
        p.moveTo(xs[0], ys[0]);
        for (int i = 1; i < xs.length; i++) {
            p.lineTo(xs[i], ys[i]);
        }
        p.closePath();
        return p;
    }

    private static java.awt.Shape normalise(java.awt.Shape s) {
        Rectangle2D b = s.getBounds2D();
        double scale = 1.0 / Math.max(b.getWidth(), b.getHeight());
        AffineTransform t = new AffineTransform();
        t.scale(scale, scale);
        t.translate(-b.getCenterX(), -b.getCenterY());
        return t.createTransformedShape(s);
    }
}
