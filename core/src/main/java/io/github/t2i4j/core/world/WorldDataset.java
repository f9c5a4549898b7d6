package io.github.t2i4j.core.world;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import io.github.t2i4j.core.image.Images;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The world's infinite, seeded stream of (image, caption, scene, prompt) pairs. Sample {@code i} depends
 * only on (seed, split, category filter, i): it is drawn by a {@link SceneSampler} from its own
 * {@code SplittableRandom} seeded with a SplitMix64 hash of (seed, i), so any sample can be produced
 * on its own ({@link #get}), and streams can be sharded or resumed from an index.
 */
public final class WorldDataset implements Iterable<WorldSample> {
    private static final Logger LOG = LoggerFactory.getLogger(WorldDataset.class);

    private final long seed;
    private final WorldSplit split;
    private final Category category;
    private final SceneSampler sampler;
    private final SceneRenderer renderer;

    /** The training stream at 64x64, all categories. */
    public WorldDataset(long seed) {
        this(seed, WorldSplit.TRAIN, SceneRenderer.DEFAULT_SIZE, null);
    }

    /**
     * A stream of one split at {@code size x size}; {@code category} null draws each sample's category
     * uniformly from all seven, otherwise every sample has that category.
     */
    public WorldDataset(long seed, WorldSplit split, int size, Category category) {
        this.seed = seed;
        this.split = split;
        this.category = category;
        this.sampler = new SceneSampler(split);
        this.renderer = new SceneRenderer(size);
    }

    public long seed() {
        return seed;
    }

    public WorldSplit split() {
        return split;
    }

    /** Image side in pixels. */
    public int size() {
        return renderer.width();
    }

    /** The example (prompt and scene) of sample {@code index}, without rendering. */
    public WorldExample example(long index) {
        SplittableRandom rng = new SplittableRandom(mix(seed, index));
        return category == null ? sampler.sample(rng) : sampler.sample(category, rng);
    }

    /** Sample {@code index}, rendered. */
    public WorldSample get(long index) {
        WorldExample e = example(index);
        return new WorldSample(index, renderer.render(e.scene()), e);
    }

    /** Infinite iterator from sample 0. */
    @Override
    public Iterator<WorldSample> iterator() {
        return iterator(0);
    }

    /** Infinite iterator from sample {@code start}. */
    public Iterator<WorldSample> iterator(long start) {
        return new Iterator<>() {
            private long next = start;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public WorldSample next() {
                return get(next++);
            }
        };
    }

    /** Samples {@code start .. start + batchSize - 1} as a batch on {@code manager}. */
    public WorldBatch batch(NDManager manager, long start, int batchSize) {
        int h = renderer.height();
        int w = renderer.width();
        int plane = 3 * h * w;
        float[] data = new float[batchSize * plane];
        List<String> captions = new ArrayList<>(batchSize);
        List<WorldSample> samples = new ArrayList<>(batchSize);
        for (int b = 0; b < batchSize; b++) {
            WorldSample s = get(start + b);
            System.arraycopy(Images.toCHW(s.image()), 0, data, b * plane, plane);
            captions.add(s.caption());
            samples.add(s);
        }
        return new WorldBatch(HostArrays.owned(manager.create(data, new ai.djl.ndarray.types.Shape(batchSize, 3, h, w))), captions, samples);
    }

    /** Consecutive batches from sample {@code start} (batch k covers start + k * batchSize onwards). */
    public Iterator<WorldBatch> batches(NDManager manager, long start, int batchSize) {
        return new Iterator<>() {
            private long next = start;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public WorldBatch next() {
                WorldBatch b = batch(manager, next, batchSize);
                next += batchSize;
                return b;
            }
        };
    }

    /**
     * Writes samples {@code 0 .. n-1} of the stream (seed, split, 64x64, all categories) to {@code folder}
     * for inspection: {@code 000000.png ...} and {@code captions.jsonl}, one line per image with "image",
     * "index", "split" and the {@link WorldJson#example} fields.
     */
    public static void export(Path folder, int n, WorldSplit split, long seed) {
        new WorldDataset(seed, split, SceneRenderer.DEFAULT_SIZE, null).export(folder, n);
    }

    /** Writes this stream's samples {@code 0 .. n-1} to {@code folder} (see {@link #export(Path, int, WorldSplit, long)}). */
    public void export(Path folder, int n) {
        try {
            Files.createDirectories(folder);
            try (BufferedWriter out = Files.newBufferedWriter(folder.resolve("captions.jsonl"), StandardCharsets.UTF_8)) {
                for (int i = 0; i < n; i++) {
                    WorldSample s = get(i);
                    String name = String.format(java.util.Locale.ROOT, "%06d.png", i);
                    Images.writePng(s.image(), folder.resolve(name));
                    JsonObject line = new JsonObject();
                    line.addProperty("image", name);
                    line.addProperty("index", i);
                    line.addProperty("split", split.key());
                    JsonObject ex = WorldJson.example(s.example());
                    for (String key : ex.keySet()) {
                        line.add(key, ex.get(key));
                    }
                    out.write(WorldJson.toLine(line));
                    out.write('\n');
                }
            }
            LOG.info("exported {} {} samples to {}", n, split.key(), folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export to " + folder, e);
        }
    }

    /** SplitMix64 finaliser of seed and index. */
    static long mix(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
