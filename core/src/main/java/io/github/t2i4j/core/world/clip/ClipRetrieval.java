package io.github.t2i4j.core.world.clip;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.github.t2i4j.core.models.clip.CLIPModel;
import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.world.SceneRenderer;
import io.github.t2i4j.core.world.WorldExample;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Zero-shot retrieval on held-out captions: within groups of {@code group} (image, caption) pairs,
 * how often an image's nearest caption is its own (image to text) and a caption's nearest image
 * is its own (text to image). A retrieved caption with the same text counts as correct.
 */
public final class ClipRetrieval {
    private ClipRetrieval() {}

    /**
     * @param imageToText top-1 accuracy of image to text
     * @param textToImage top-1 accuracy of text to image
     * @param pairs pairs evaluated
     * @param group candidates per query
     */
    public record Result(double imageToText, double textToImage, int pairs, int group) {}

    public static Result evaluate(
            CLIPModel model, CLIPTokenizer tokenizer, List<WorldExample> examples, int group, NDManager manager) {
        SceneRenderer renderer = new SceneRenderer(model.config().visionConfig().imageSize());
        int i2t = 0;
        int t2i = 0;
        int n = 0;
        for (int start = 0; start + group <= examples.size(); start += group) {
            List<WorldExample> chunk = examples.subList(start, start + group);
            try (NDManager m = manager.newSubManager()) {
                List<String> captions = chunk.stream().map(WorldExample::caption).toList();
                NDArray img = encodeRenders(model, renderer, chunk, m);
                NDArray txt = model.encodeText(tokenizer.encode(captions).inputIds(m));
                NDArray sim = img.matMul(txt.transpose()); // [images, captions]
                long[] bestCaption = sim.argMax(1).toLongArray();
                long[] bestImage = sim.argMax(0).toLongArray();
                for (int k = 0; k < group; k++) {
                    i2t += captions.get((int) bestCaption[k]).equals(captions.get(k)) ? 1 : 0;
                    t2i += captions.get((int) bestImage[k]).equals(captions.get(k)) ? 1 : 0;
                }
                n += group;
            }
        }
        if (n == 0) {
            throw new IllegalArgumentException("need at least " + group + " examples, got " + examples.size());
        }
        return new Result((double) i2t / n, (double) t2i / n, n, group);
    }

    /**
     * How often the model prefers an image's own caption to a {@link HardNegatives} caption of each
     * kind (the same caption with one attribute changed so the image no longer satisfies it), over
     * {@code examples}: 0.5 is a model blind to that attribute, 1.0 one that always reads it. Kinds
     * that cannot contradict an example (a colour swap on one object) skip it. The negatives are
     * drawn from {@code seed}.
     */
    public static Map<HardNegatives.Kind, Double> hardNegativeAccuracy(
            CLIPModel model, CLIPTokenizer tokenizer, List<WorldExample> examples, long seed, NDManager manager) {
        SceneRenderer renderer = new SceneRenderer(model.config().visionConfig().imageSize());
        Map<HardNegatives.Kind, Double> out = new EnumMap<>(HardNegatives.Kind.class);
        for (HardNegatives.Kind kind : HardNegatives.Kind.values()) {
            List<HardNegatives.Pair> pairs = HardNegatives.pairs(examples, kind, seed);
            int wins = 0;
            int n = 0;
            for (int start = 0; start < pairs.size(); start += 100) {
                List<HardNegatives.Pair> chunk = pairs.subList(start, Math.min(pairs.size(), start + 100));
                List<WorldExample> used = chunk.stream().map(HardNegatives.Pair::example).toList();
                List<String> own = used.stream().map(WorldExample::caption).toList();
                List<String> negative = chunk.stream().map(HardNegatives.Pair::negative).toList();
                try (NDManager m = manager.newSubManager()) {
                    NDArray img = encodeRenders(model, renderer, used, m);
                    NDArray a = img.mul(model.encodeText(tokenizer.encode(own).inputIds(m))).sum(new int[] {1});
                    NDArray b = img.mul(model.encodeText(tokenizer.encode(negative).inputIds(m))).sum(new int[] {1});
                    wins += (int) a.gt(b).toType(ai.djl.ndarray.types.DataType.INT64, false).sum().getLong();
                    n += used.size();
                }
            }
            if (n > 0) {
                out.put(kind, (double) wins / n);
            }
        }
        return out;
    }

    /** Image embeddings [n, dim] of the examples' reference renders. */
    private static NDArray encodeRenders(CLIPModel model, SceneRenderer renderer, List<WorldExample> examples, NDManager m) {
        NDList images = new NDList();
        for (WorldExample e : examples) {
            images.add(renderer.renderTensor(e.scene(), m).expandDims(0));
        }
        return model.encodeImage(NDArrays.concat(images));
    }
}
