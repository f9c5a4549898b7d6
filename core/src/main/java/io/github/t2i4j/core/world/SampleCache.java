package io.github.t2i4j.core.world;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One tensor row per sample for the first {@code n} samples of a world stream (a frozen VAE's
 * posterior moments, a frozen tokenizer's ids), computed once in chunks and kept in a safetensors
 * file whose metadata says what it was computed from, so that later and resumed training runs
 * reuse it and a changed model, seed or size rebuilds it.
 */
public final class SampleCache {
    private static final Logger LOG = LoggerFactory.getLogger(SampleCache.class);

    private SampleCache() {}

    /**
     * The cached rows [n, ...] (attached to {@code manager}, outside any scope): loaded from
     * {@code file} when its metadata equals {@code key} and it holds {@code tensor}, else computed
     * with {@code rows} (a chunk's images [B, 3, H, W] to its B rows) and written with {@code key}
     * as metadata.
     *
     * @param what the cache's name in log lines
     */
    public static NDArray loadOrCompute(Path file, String tensor, Map<String, String> key, WorldDataset data, int n,
            int chunk, NDManager manager, String what, UnaryOperator<NDArray> rows) {
        if (Files.isRegularFile(file)) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                Map<String, String> meta = f.metadata();
                boolean same = meta != null && f.names().contains(tensor);
                for (Map.Entry<String, String> e : key.entrySet()) {
                    same &= meta != null && e.getValue().equals(meta.get(e.getKey()));
                }
                if (same) {
                    NDArray a = f.load(tensor, manager);
                    NDScope.unregister(a);
                    LOG.info("{}: {} samples from {}", what, n, file);
                    return a;
                }
                LOG.info("{} {} was made from other inputs ({}): rebuilding", what, file, key.keySet());
            }
        }
        long t0 = System.nanoTime();
        NDList chunks = new NDList();
        for (int start = 0; start < n; start += chunk) {
            int size = Math.min(chunk, n - start);
            try (NDManager m = manager.newSubManager()) {
                NDArray row = rows.apply(data.batch(m, start, size).images());
                row.attach(manager);
                chunks.add(row);
            }
            if ((start / chunk) % 200 == 0) {
                LOG.info("{}: {} / {} samples computed", what, start + size, n);
            }
        }
        NDArray all = NDArrays.concat(chunks, 0);
        chunks.close();
        NDScope.unregister(all);
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the folder of " + file, e);
        }
        new SafetensorsWriter().metadata(key).add(tensor, all).write(file);
        LOG.info("{}: {} samples computed in {} s, written to {}", what, n,
                String.format(Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e9), file);
        return all;
    }
}
