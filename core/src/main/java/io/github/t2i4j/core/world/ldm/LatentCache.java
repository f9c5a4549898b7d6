package io.github.t2i4j.core.world.ldm;

import io.github.t2i4j.core.tensor.HostArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import io.github.t2i4j.core.io.SafetensorsFile;
import io.github.t2i4j.core.io.SafetensorsWriter;
import io.github.t2i4j.core.models.vae.AutoencoderKL;
import io.github.t2i4j.core.models.vae.DiagonalGaussianDistribution;
import io.github.t2i4j.core.world.WorldBatch;
import io.github.t2i4j.core.world.WorldDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SplittableRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frozen VAE's posterior over training samples {@code 0 .. n-1} of the stream, computed once:
 * the moments (mean and log-variance, [n, 2C, h, w]) in fp16, in memory and in a safetensors file
 * in the work folder, so a resumed run reuses them. Encoding costs the UNet job about a third of
 * its step time on a 2-core CPU (the VAE encoder's 64x64 convolutions); with the cache a step only
 * gathers rows and draws the posterior sample. The file records the sample count, the data seed
 * and a digest of the VAE folder, and is rebuilt when any of them differs.
 */
final class LatentCache implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LatentCache.class);
    static final String TENSOR = "moments";
    private static final int CHUNK = 64;

    private final NDArray moments;

    private LatentCache(NDArray moments) {
        this.moments = moments;
    }

    /** Number of cached samples. */
    long size() {
        return moments.getShape().get(0);
    }

    /**
     * Loads {@code file} if it holds the moments of samples {@code 0 .. n-1} of {@code data} under
     * this VAE, else encodes them (in chunks, posterior moments only) and writes the file.
     */
    static LatentCache loadOrBuild(AutoencoderKL vae, Path vaeDir, WorldDataset data, int n, Path file,
            NDManager manager) {
        String digest = digest(vaeDir);
        if (Files.isRegularFile(file)) {
            try (SafetensorsFile f = SafetensorsFile.open(file)) {
                Map<String, String> meta = f.metadata();
                if (meta != null && Integer.toString(n).equals(meta.get("samples"))
                        && Long.toString(data.seed()).equals(meta.get("seed")) && digest.equals(meta.get("vae"))
                        && f.names().contains(TENSOR)) {
                    NDArray m = f.load(TENSOR, manager);
                    NDScope.unregister(m);
                    LOG.info("latent cache: {} samples from {}", n, file);
                    return new LatentCache(m);
                }
                LOG.info("latent cache {} is for another VAE, seed or size: rebuilding", file);
            }
        }
        long t0 = System.nanoTime();
        NDList chunks = new NDList();
        for (int start = 0; start < n; start += CHUNK) {
            int size = Math.min(CHUNK, n - start);
            try (NDManager m = manager.newSubManager()) {
                WorldBatch b = data.batch(m, start, size);
                NDArray moments;
                try (DiagonalGaussianDistribution d = vae.encode(b.images())) {
                    moments = NDArrays.concat(new NDList(d.mean(), d.logvar()), 1).toType(DataType.FLOAT16, false);
                }
                moments.attach(manager);
                chunks.add(moments);
            }
            if ((start / CHUNK) % 200 == 0) {
                LOG.info("latent cache: {} / {} samples encoded", start + size, n);
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
        new SafetensorsWriter()
                .metadata("samples", Integer.toString(n))
                .metadata("seed", Long.toString(data.seed()))
                .metadata("vae", digest)
                .add(TENSOR, all)
                .write(file);
        LOG.info("latent cache: {} samples encoded in {} s, written to {}", n,
                String.format(java.util.Locale.ROOT, "%.0f", (System.nanoTime() - t0) / 1e9), file);
        return new LatentCache(all);
    }

    /**
     * Scaled latents of cached samples {@code indices}: posterior samples {@code mean + std * eps}
     * with {@code eps} drawn from {@code rng}, times the VAE's scaling, on {@code manager}.
     */
    NDArray latents(long[] indices, SplittableRandom rng, AutoencoderKL vae, NDManager manager) {
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

    /** SHA-256 of the VAE folder's config and weights. */
    private static String digest(Path vaeDir) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(Files.readAllBytes(vaeDir.resolve("config.json")));
            md.update(Files.readAllBytes(vaeDir.resolve(AutoencoderKL.WEIGHTS_FILE)));
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the VAE folder " + vaeDir, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        moments.close();
    }
}
