package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Background;
import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Shape classification by nearest prototype silhouette. For an image size (at most
 * {@value #MAX_PROTOTYPE_SIDE} on the smaller side; larger images share the scaled-down set), every
 * {@link Shape} is rendered by the world's own {@link SceneRenderer} at both {@link Size}s and a 3x3 grid
 * of sub-pixel offsets, sharp and with a 3x3 box blur (per 64 pixels of side), measured by the same
 * pipeline as any image ({@link RegionMeasurement}: a {@value RegionMeasurement#GRID}x{@value
 * RegionMeasurement#GRID} coverage grid over the object's box, aspect kept), and averaged per shape, size
 * and blur. A region gets the shape of the prototype with the smallest mean squared difference. This
 * compares whole silhouettes (fill, corners, concavity, top-bottom asymmetry, aspect at once), is
 * invariant to scale and position, shares the measurement's small biases (pointed tips lose a fraction of
 * a pixel) with the prototypes, and follows the renderer if the world's shapes change. The same renders
 * calibrate each shape's {@link #fill} (area per squared extent).
 */
final class ShapePrototypes {
    private static final Map<Long, ShapePrototypes> CACHE = new ConcurrentHashMap<>();

    /** One averaged silhouette. */
    record Prototype(Shape shape, Size size, float[] silhouette) {}

    /** The classification: best shape, its distance, and the distance of the best other shape. */
    record Match(Shape shape, double distance, double runnerUpDistance) {}

    private final List<Prototype> prototypes;
    private final double[] fill;

    private ShapePrototypes(List<Prototype> prototypes, double[] fill) {
        this.prototypes = List.copyOf(prototypes);
        this.fill = fill;
    }

    /**
     * Measured coverage of a shape per squared extent (pixels), e.g. ~0.785 for the circle: turns an
     * object's area, which blur and noise leave unbiased, into its extent.
     */
    double fill(Shape shape) {
        return fill[shape.ordinal()];
    }

    /** Largest smaller side prototypes are rendered at; silhouettes are scale-normalised, so larger images share them. */
    static final int MAX_PROTOTYPE_SIDE = 128;

    /** The (cached) prototypes for images of this size (rendered at most {@value #MAX_PROTOTYPE_SIDE} on the smaller side). */
    static ShapePrototypes forSize(int width, int height) {
        int side = Math.min(width, height);
        int w = width;
        int h = height;
        if (side > MAX_PROTOTYPE_SIDE) {
            w = Math.max(1, (int) Math.round((double) width * MAX_PROTOTYPE_SIDE / side));
            h = Math.max(1, (int) Math.round((double) height * MAX_PROTOTYPE_SIDE / side));
        }
        int bw = w;
        int bh = h;
        return CACHE.computeIfAbsent(((long) bw << 32) | bh, k -> build(bw, bh));
    }

    List<Prototype> prototypes() {
        return prototypes;
    }

    Match classify(float[] silhouette) {
        Shape best = null;
        double bestD = Double.MAX_VALUE;
        double[] perShape = new double[Shape.values().length];
        java.util.Arrays.fill(perShape, Double.MAX_VALUE);
        for (Prototype p : prototypes) {
            double d = distance(silhouette, p.silhouette());
            int s = p.shape().ordinal();
            perShape[s] = Math.min(perShape[s], d);
            if (d < bestD) {
                bestD = d;
                best = p.shape();
            }
        }
        double second = Double.MAX_VALUE;
        for (int s = 0; s < perShape.length; s++) {
            if (s != best.ordinal()) {
                second = Math.min(second, perShape[s]);
            }
        }
        return new Match(best, bestD, second);
    }

    static double distance(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            double d = a[i] - b[i];
            s += d * d;
        }
        return s / a.length;
    }

    private static ShapePrototypes build(int width, int height) {
        SceneRenderer renderer = new SceneRenderer(width, height);
        List<Prototype> out = new ArrayList<>();
        double[] fill = new double[Shape.values().length];
        int side = Math.min(width, height);
        int cells = RegionMeasurement.GRID * RegionMeasurement.GRID;
        for (Shape shape : Shape.values()) {
            for (Size size : Size.values()) {
                for (int blur = 0; blur < 2; blur++) {
                    float[] mean = new float[cells];
                    int count = 0;
                    for (int oy = 0; oy < 3; oy++) {
                        for (int ox = 0; ox < 3; ox++) {
                            double x = 0.5 + ox / 3.0 / width;
                            double y = 0.5 + oy / 3.0 / height;
                            Scene scene = new Scene(
                                    Background.WHITE,
                                    List.of(new SceneObject(shape, Colour.BLUE, Texture.SOLID, size, x, y)));
                            java.awt.image.BufferedImage img = renderer.render(scene);
                            if (blur == 1) {
                                img = ImageDegradations.boxBlur(img, Math.max(1, side / 64));
                            }
                            Segmenter.Segmentation seg = Segmenter.segment(RgbImage.of(img));
                            if (seg.regions().isEmpty()) {
                                throw new IllegalStateException("no region in a prototype render of " + shape);
                            }
                            RegionMeasurement m = RegionMeasurement.measure(seg, 0);
                            float[] s = m.silhouette();
                            if (blur == 0) {
                                double extent = size.extent() * side;
                                fill[shape.ordinal()] += m.coverage() / (extent * extent) / (9.0 * Size.values().length);
                            }
                            for (int i = 0; i < cells; i++) {
                                mean[i] += s[i];
                            }
                            count++;
                        }
                    }
                    for (int i = 0; i < cells; i++) {
                        mean[i] /= count;
                    }
                    out.add(new Prototype(shape, size, mean));
                }
            }
        }
        return new ShapePrototypes(out, fill);
    }
}
