package io.github.t2i4j.itercomp.preference;

import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.core.world.Scene;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A stand-in gallery member of known quality for tests: draws the world's render of the prompt
 * ({@code shift} 0), of the prompt {@code shift} places on (a wrong scene), or a grey image; a
 * prompt it was not built with (a held-out one) gets the grey image.
 */
public final class StandInMember implements TextToImageGenerator {
    private final String name;
    private final Map<String, Scene> scenes = new HashMap<>();
    private final Map<String, Scene> shifted = new HashMap<>();
    private final boolean blank;
    private final SceneRenderer renderer = new SceneRenderer();
    public final List<Long> seeds = new ArrayList<>();

    public StandInMember(String name, PreferenceCollection c, int prompts, int shift, boolean blank) {
        this.name = name;
        this.blank = blank;
        for (Aspect a : Aspect.values()) {
            for (long i = 0; i < prompts; i++) {
                WorldExample e = c.prompt(a, i);
                scenes.put(e.caption(), e.scene());
                shifted.put(e.caption(), c.prompt(a, i + shift).scene());
            }
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<BufferedImage> generate(List<String> prompts, long seed) {
        seeds.add(seed);
        List<BufferedImage> out = new ArrayList<>();
        for (String p : prompts) {
            Scene scene = shifted.get(p);
            if (blank || scene == null) {
                BufferedImage img = new BufferedImage(64, 64, BufferedImage.TYPE_INT_RGB);
                Graphics2D g = img.createGraphics();
                g.setColor(Color.GRAY);
                g.fillRect(0, 0, 64, 64);
                g.dispose();
                out.add(img);
            } else {
                out.add(renderer.render(scene));
            }
        }
        return out;
    }
}
