package io.github.t2i4j.core.world.eval;

import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.Placement;
import io.github.t2i4j.core.world.PromptMatch;
import io.github.t2i4j.core.world.Requirement;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated annotator: judges an RGB image (any size, 64x64 by default) against a
 * {@link CompositionPrompt} from pixels alone.
 *
 * <ol>
 *   <li><b>Segmentation</b> ({@link Segmenter}): background = per-channel median of the border ring;
 *       foreground = RGB distance to it above 0.3 (or 6 noise sigmas); 8-connected components; a
 *       component holding two colours in one piece each (touching objects) split by hue; specks dropped;
 *       noise sigma re-estimated on all background pixels away from objects.
 *   <li><b>Measurement</b> ({@link RegionMeasurement}): each pixel unmixed into background, base colour
 *       and texture shade, giving soft coverage and texture darkness; sub-pixel box; aspect-keeping
 *       normalised silhouette; mean hue; texture energy and orientation.
 *   <li><b>Classification</b>: colour = nearest of the six reference hues ({@link ColourNames}); shape =
 *       nearest prototype silhouette ({@link ShapePrototypes}), unrecognised beyond
 *       {@link #MAX_SHAPE_DISTANCE}; texture = solid when the energy is below {@link #SOLID_ENERGY} or
 *       not significant above the noise ({@link #SOLID_SIGNIFICANCE}), else striped when the
 *       orientation exceeds {@link #STRIPE_ORIENTATION}, else dotted; size = the {@link Size} nearest in
 *       log extent.
 *   <li><b>Placement</b>: centre = the box's centre; extent (larger box side over the image's smaller
 *       side, as in {@link Placement}) = {@code sqrt(area / fill(shape))} with the shape's fill calibrated
 *       on renders, because blur eats the thin tips of a star and shrinks its box but keeps its area.
 *   <li><b>Judgement</b>: {@link CompositionPrompt#match(List, List)} with the recognised detected
 *       objects and their measured placements: the best assignment of prompt objects to detected objects,
 *       attribute requirements checked by the prompt's own specs and relations by the world's own
 *       {@link io.github.t2i4j.core.world.Relation#holds} geometry, so generator and judge agree.
 * </ol>
 *
 * Stateless apart from a cache of shape prototypes per image size; safe to share between threads.
 */
public final class CompositionEvaluator {
    /**
     * Texture energy (mean squared difference of darkness between pixels 2 apart, horizontally plus
     * vertically, less noise) below which an object is solid; the world's textures give 0.4 to 1 sharp
     * and above 0.05 under a 3x3 box blur, solid objects ~0.
     */
    public static final double SOLID_ENERGY = 0.02;
    /** ... or below this many standard errors of pure noise's energy, when the image is noisy. */
    public static final double SOLID_SIGNIFICANCE = 4;
    /** Orientation ((ey - ex) / (ey + ex)) above which a textured object is striped rather than dotted. */
    public static final double STRIPE_ORIENTATION = 0.55;
    /**
     * Largest mean squared silhouette difference to the nearest shape prototype for an object to count as
     * that shape (the world's own renders stay below 0.05 even blurred; distinct shapes' prototypes are
     * 0.05 to 0.15 apart), so a shapeless blob matches no prompt object.
     */
    public static final double MAX_SHAPE_DISTANCE = 0.1;
    /** At most this many detected objects (the largest) take part in matching. */
    public static final int MAX_DETECTIONS = 8;

    /** The smallest image side the shapes and textures can be told apart at. */
    public static final int MIN_SIDE = 32;

    /** A new evaluator. */
    public CompositionEvaluator() {}

    /** Finds and classifies the objects of an image, largest first. */
    public List<DetectedObject> detect(BufferedImage image) {
        if (image.getWidth() < MIN_SIDE || image.getHeight() < MIN_SIDE) {
            throw new IllegalArgumentException("the evaluator judges images of at least " + MIN_SIDE + "x" + MIN_SIDE
                    + " pixels (the world renders 64x64); got " + image.getWidth() + "x" + image.getHeight());
        }
        RgbImage img = RgbImage.of(image);
        Segmenter.Segmentation seg = Segmenter.segment(img);
        ShapePrototypes prototypes = ShapePrototypes.forSize(img.width, img.height);
        List<DetectedObject> out = new ArrayList<>();
        int n = Math.min(seg.regions().size(), MAX_DETECTIONS);
        for (int k = 0; k < n; k++) {
            out.add(classify(RegionMeasurement.measure(seg, k), prototypes, img.width, img.height));
        }
        return out;
    }

    /** Judges the image against the prompt. */
    public Evaluation evaluate(BufferedImage image, CompositionPrompt prompt) {
        return evaluate(detect(image), prompt);
    }

    /** Judges already detected objects against the prompt (detect once, judge several prompts). */
    public Evaluation evaluate(List<DetectedObject> detected, CompositionPrompt prompt) {
        List<SceneObject> objects = new ArrayList<>(detected.size());
        List<Placement> placements = new ArrayList<>(detected.size());
        List<Integer> index = new ArrayList<>(detected.size());
        for (int k = 0; k < detected.size(); k++) {
            DetectedObject d = detected.get(k);
            if (d.recognised()) {
                objects.add(d.toSceneObject());
                placements.add(d.placement());
                index.add(k);
            }
        }
        PromptMatch match = prompt.match(objects, placements);
        List<Requirement> reqs = match.requirements();
        List<RequirementResult> results = new ArrayList<>(reqs.size());
        for (int i = 0; i < reqs.size(); i++) {
            Requirement r = reqs.get(i);
            String kind = r instanceof Requirement.HasObject ? "object" : "relation";
            String text = r instanceof Requirement.HasObject h ? h.spec().describe() : r.describe(prompt.objects());
            results.add(new RequirementResult(kind, text, match.met()[i]));
        }
        List<Integer> assignment = new ArrayList<>();
        for (int a : match.assignment()) {
            assignment.add(a < 0 ? -1 : index.get(a));
        }
        return new Evaluation(
                prompt.caption(), prompt.category(), results, match.fraction(), match.allMet(), detected, assignment);
    }

    static DetectedObject classify(RegionMeasurement m, ShapePrototypes prototypes, int width, int height) {
        Colour colour = ColourNames.name(m.hue());
        ShapePrototypes.Match shape = prototypes.classify(m.silhouette());
        Texture texture = texture(m.textureEnergy(), m.textureNoise(), m.textureOrientation());
        Placement box = Placement.ofPixels(m.x0(), m.y0(), m.x1(), m.y1(), width, height);
        double extentPx = Math.sqrt(m.coverage() / prototypes.fill(shape.shape()));
        Placement placement = new Placement(box.x(), box.y(), extentPx / Math.min(width, height));
        Size size = size(placement.extent());
        return new DetectedObject(
                shape.shape(),
                colour,
                texture,
                size,
                placement,
                m.x0(),
                m.y0(),
                m.x1(),
                m.y1(),
                m.pixels(),
                m.hue(),
                shape.distance(),
                shape.runnerUpDistance(),
                shape.distance() <= MAX_SHAPE_DISTANCE,
                m.textureEnergy(),
                m.textureOrientation());
    }

    static Texture texture(double energy, double noise, double orientation) {
        if (energy < Math.max(SOLID_ENERGY, SOLID_SIGNIFICANCE * noise)) {
            return Texture.SOLID;
        }
        return orientation > STRIPE_ORIENTATION ? Texture.STRIPED : Texture.DOTTED;
    }

    /** The size whose extent (a fraction of the image's smaller side) is nearest in log scale. */
    public static Size size(double extent) {
        Size best = null;
        double bestD = Double.MAX_VALUE;
        for (Size s : Size.values()) {
            double d = Math.abs(Math.log(extent / s.extent()));
            if (d < bestD) {
                bestD = d;
                best = s;
            }
        }
        return best;
    }
}
