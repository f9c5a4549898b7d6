package io.github.t2i4j.core.pipelines;

import java.awt.image.BufferedImage;
import java.util.List;

/** A {@link DiffusionPipeline} with fixed sampling settings, as a {@link TextToImageGenerator}. */
public final class DiffusionGenerator implements TextToImageGenerator {
    private final String name;
    private final DiffusionPipeline pipeline;
    private final int steps;
    private final float guidance;
    private final String scheduler;

    /**
     * @param scheduler a scheduler name, or null for the pipeline's own
     */
    public DiffusionGenerator(String name, DiffusionPipeline pipeline, int steps, float guidance, String scheduler) {
        this.name = name;
        this.pipeline = pipeline;
        this.steps = steps;
        this.guidance = guidance;
        this.scheduler = scheduler;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<BufferedImage> generate(List<String> prompts, long seed) {
        // one request over all prompts: prompt i gets seed + i, as the interface promises
        GenerationRequest request =
                new GenerationRequest(prompts, List.of(), steps, guidance, seed, null, null, 1, scheduler);
        return pipeline.generate(request).images();
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
