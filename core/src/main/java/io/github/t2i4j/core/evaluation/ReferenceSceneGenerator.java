package io.github.t2i4j.core.evaluation;

import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The upper bound of any generator: renders the reference scene of each known caption (e.g. the
 * held-out set's). It checks the evaluation itself: its accuracy is the evaluator's agreement with
 * the renderer, and its FID against the reference renders is 0.
 */
public final class ReferenceSceneGenerator implements TextToImageGenerator {
    private final Map<String, Scene> scenes = new HashMap<>();
    private final SceneRenderer renderer;

    public ReferenceSceneGenerator(List<WorldExample> examples, int size) {
        for (WorldExample e : examples) {
            scenes.putIfAbsent(e.caption(), e.scene());
        }
        this.renderer = new SceneRenderer(size);
    }

    @Override
    public String name() {
        return "reference renders";
    }

    @Override
    public List<BufferedImage> generate(List<String> prompts, long seed) {
        List<BufferedImage> out = new ArrayList<>(prompts.size());
        for (String p : prompts) {
            Scene s = scenes.get(p);
            if (s == null) {
                throw new IllegalArgumentException("no reference scene for caption: " + p);
            }
            out.add(renderer.render(s));
        }
        return out;
    }
}
