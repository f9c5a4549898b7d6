package io.github.t2i4j.itercomp.gallery;

import io.github.t2i4j.core.world.CaptionParser;
import io.github.t2i4j.core.world.Colour;
import io.github.t2i4j.core.world.CompositionPrompt;
import io.github.t2i4j.core.world.ObjectSpec;
import io.github.t2i4j.core.world.RelationSpec;
import io.github.t2i4j.core.world.SceneObject;
import io.github.t2i4j.core.world.SceneSampler;
import io.github.t2i4j.core.world.Size;
import io.github.t2i4j.core.world.Texture;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The world's stand-in for RPG's and LMD's LLM planner: parses a caption of the world's grammar
 * ({@link CaptionParser}) and lays its objects out the way the {@link SceneSampler} lays out
 * training scenes, so that the plan is a scene the caption truly describes.
 *
 * <ul>
 *   <li>each object's phrase is the caption's description of it ({@link ObjectSpec#describe()},
 *       e.g. "red striped circle");
 *   <li>sizes: the size the caption asks for; a size relation decides both sizes (BIGGER_THAN:
 *       LARGE and SMALL; SAME_SIZE_AS: equal), overriding a contradicting adjective; any other
 *       size is drawn uniformly;
 *   <li>placement: centres drawn uniformly (boxes inside the image with the sampler's {@link
 *       SceneSampler#BORDER border}, at least {@link SceneSampler#GAP} apart, centres on a 0.001
 *       grid) until every relation {@link io.github.t2i4j.core.world.Relation#holdsClearly holds
 *       clearly};
 *   <li>boxes: the bounding box of the outline the renderer draws for that shape, size and centre.
 * </ul>
 *
 * All randomness comes from {@code new SplittableRandom(seed)}: the same prompt and seed give the
 * same layout.
 */
public final class GrammarPlanner implements LayoutPlanner {
    /** Choices of the free sizes before giving up. */
    private static final int ATTEMPTS = 100;

    @Override
    public Layout plan(String prompt, long seed) {
        CompositionPrompt parsed = CaptionParser.parse(prompt);
        SplittableRandom rng = new SplittableRandom(seed);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            List<SceneObject> placed = SceneSampler.place(objects(parsed, sizes(parsed, rng)), parsed.relations(), rng);
            if (placed != null) {
                List<GroundedObject> out = new ArrayList<>();
                for (int i = 0; i < placed.size(); i++) {
                    out.add(Layout.grounded(parsed.objects().get(i).describe(), placed.get(i)));
                }
                return new Layout(out);
            }
        }
        throw new IllegalArgumentException("cannot lay out '" + prompt + "': no placement satisfies its relations "
                + parsed.relations());
    }

    /** The requested sizes, then the size relations' sizes, the rest drawn. */
    private static Size[] sizes(CompositionPrompt p, SplittableRandom rng) {
        int n = p.objects().size();
        Size[] sizes = new Size[n];
        for (int i = 0; i < n; i++) {
            Size asked = p.objects().get(i).size();
            Size drawn = Size.values()[rng.nextInt(Size.values().length)];
            sizes[i] = asked != null ? asked : drawn;
        }
        for (RelationSpec r : p.relations()) {
            switch (r.relation()) {
                case BIGGER_THAN -> {
                    sizes[r.subject()] = Size.LARGE;
                    sizes[r.object()] = Size.SMALL;
                }
                case SMALLER_THAN -> {
                    sizes[r.subject()] = Size.SMALL;
                    sizes[r.object()] = Size.LARGE;
                }
                case SAME_SIZE_AS -> {
                    boolean onlyObjectAsked = p.objects().get(r.subject()).size() == null
                            && p.objects().get(r.object()).size() != null;
                    if (onlyObjectAsked) {
                        sizes[r.subject()] = sizes[r.object()];
                    } else {
                        sizes[r.object()] = sizes[r.subject()];
                    }
                }
                default -> {}
            }
        }
        return sizes;
    }

    /** Scene objects at the centre with the prompt's shapes and these sizes (colour and texture do not change the outline). */
    private static List<SceneObject> objects(CompositionPrompt p, Size[] sizes) {
        List<SceneObject> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            ObjectSpec s = p.objects().get(i);
            out.add(new SceneObject(s.shape(), s.colour() != null ? s.colour() : Colour.values()[0],
                    s.texture() != null ? s.texture() : Texture.SOLID, sizes[i], 0.5, 0.5));
        }
        return out;
    }
}
