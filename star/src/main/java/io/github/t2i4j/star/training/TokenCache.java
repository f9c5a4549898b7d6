package io.github.t2i4j.star.training;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;


import io.github.t2i4j.core.tensor.HostArrays;

import io.github.t2i4j.core.world.SampleCache;
import io.github.t2i4j.core.world.WorldDataset;
import io.github.t2i4j.star.tokenizer.MultiScaleVQTokenizer;



import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import java.util.Map;

/**
 * The frozen tokenizer's multi-scale token ids of training samples {@code 0 .. n-1} of the stream,
 * computed once: [n, L] (the scales concatenated, row-major within a scale) as INT32, in memory
 * and in a safetensors file in the work folder, so a resumed run reuses them. The STAR
 * transformer's training step then only gathers rows and rebuilds the teacher-forcing input from
 * the ids (codebook lookups and the phis on small maps): no rendering, no encoder. The file
 * records the sample count, data seed, image size, scale schedule and a digest of the tokenizer,
 * and is rebuilt when any of them differs.
 */
final class TokenCache implements AutoCloseable {
    static final String TENSOR = "ids";
    private static final int CHUNK = 64;

    private final NDArray ids;
    private final List<Integer> patchNums;

    private TokenCache(NDArray ids, List<Integer> patchNums) {
        this.ids = ids;
        this.patchNums = List.copyOf(patchNums);
    }

    /** Number of cached samples. */
    long size() {
        return ids.getShape().get(0);
    }

    /**
     * Loads {@code file} if it holds the ids of samples {@code 0 .. n-1} of {@code data} under this
     * tokenizer ({@code digest}) and schedule, else tokenizes them (in chunks) and writes the file.
     */
    static TokenCache loadOrBuild(MultiScaleVQTokenizer tokenizer, String digest, WorldDataset data, int n, Path file,
            NDManager manager) {
        List<Integer> pns = tokenizer.config().vPatchNums();
        Map<String, String> key = Map.of(
                "samples", Integer.toString(n),
                "seed", Long.toString(data.seed()),
                "image_size", Integer.toString(data.size()),
                "patch_nums", pns.toString(),
                "tokenizer", digest);
        if (data.size() != tokenizer.config().imageSize()) {
            throw new IllegalArgumentException("the tokenizer's schedule " + pns + " needs " + tokenizer.config().imageSize()
                    + " px images, the data has " + data.size());
        }
        return new TokenCache(SampleCache.loadOrCompute(file, TENSOR, key, data, n, CHUNK, manager, "token cache",
                images -> NDArrays.concat(new NDList(tokenizer.imgToIdxBl(images)), 1).toType(DataType.INT32, false)),
                pns);
    }

    /** The ids of cached samples {@code indices}: [B, L] INT64 on {@code manager}. */
    NDArray rows(long[] indices, NDManager manager) {
        try (NDArray idx = HostArrays.owned(manager.create(indices));
                NDArray rows = ids.get(new NDIndex("{}", idx))) {
            return rows.toType(DataType.INT64, true);
        }
    }

    /** The ids of each scale, [B, pn*pn] each, of rows [B, L]. */
    List<NDArray> split(NDArray rows) {
        List<NDArray> out = new ArrayList<>(patchNums.size());
        int start = 0;
        for (int pn : patchNums) {
            out.add(rows.get(":, " + start + ":" + (start + pn * pn)));
            start += pn * pn;
        }
        return out;
    }

    @Override
    public void close() {
        ids.close();
    }
}
