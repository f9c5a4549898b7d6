package io.github.t2i4j.core.world.ldm;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;

import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;


import io.github.t2i4j.core.io.FileDigest;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;

import io.github.t2i4j.core.world.SampleCache;
import io.github.t2i4j.core.world.WorldDataset;



import java.nio.file.Path;



import java.util.Map;
import java.util.SplittableRandom;

/**
 * The frozen VAE's posterior over training samples {@code 0 .. n-1} of the stream, computed once:
 * the moments (mean and log-variance, [n, 2C, h, w]) in fp16, in memory and in a safetensors file
 * in the work folder, so a resumed run reuses them. Encoding costs the UNet job about a third of
 * its step time on a 2-core CPU (the VAE encoder's 64x64 convolutions); with the cache a step only
 * gathers rows and draws the posterior sample. The file records the sample count, the data seed
 * and a digest of the VAE folder, and is rebuilt when any of them differs.
 */
public final class LatentCache implements AutoCloseable {
    static final String TENSOR = "moments";
    private static final int CHUNK = 64;

    private final NDArray moments;

    private LatentCache(NDArray moments) {
        this.moments = moments;
    }

    /** Number of cached samples. */
    public long size() {
        return moments.getShape().get(0);
    }

    /**
     * Loads {@code file} if it holds the moments of samples {@code 0 .. n-1} of {@code data} under
     * this VAE, else encodes them (in chunks, posterior moments only) and writes the file.
     */
    public static LatentCache loadOrBuild(AutoencoderKL vae, Path vaeDir, WorldDataset data, int n, Path file,
            NDManager manager) {
        Map<String, String> key = Map.of(
                "samples", Integer.toString(n),
                "seed", Long.toString(data.seed()),
                "vae", FileDigest.of(vaeDir.resolve("config.json"), vaeDir.resolve(AutoencoderKL.WEIGHTS_FILE)));
        return new LatentCache(SampleCache.loadOrCompute(file, TENSOR, key, data, n, CHUNK, manager, "latent cache",
                images -> {
                    try (DiagonalGaussianDistribution d = vae.encode(images)) {
                        return NDArrays.concat(new NDList(d.mean(), d.logvar()), 1).toType(DataType.FLOAT16, false);
                    }
                }));
    }

    /**
     * Scaled latents of cached samples {@code indices}: posterior samples {@code mean + std * eps}
     * with {@code eps} drawn from {@code rng}, times the VAE's scaling, on {@code manager}.
     */
    public NDArray latents(long[] indices, SplittableRandom rng, AutoencoderKL vae, NDManager manager) {
        NDArray idx = HostArrays.owned(manager.create(indices));
        try (NDArray rows = moments.get(new NDIndex("{}", idx)).toType(DataType.FLOAT32, false);
                DiagonalGaussianDistribution d = new DiagonalGaussianDistribution(rows);
                NDArray eps = LdmData.gaussian(manager, rng, d.mean().getShape());
                NDArray z = d.sample(eps)) {
            return vae.scaleLatents(z);
        } finally {
            idx.close();
        }
    }

    @Override
    public void close() {
        moments.close();
    }
}
