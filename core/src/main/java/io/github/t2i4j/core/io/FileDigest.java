package io.github.t2i4j.core.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A content digest of model files, so that a cache derived from a model (VAE latents, tokenizer
 * ids) is reused only with the model it was made with.
 */
public final class FileDigest {
    private FileDigest() {}

    /** SHA-256 of some files (e.g. a model folder's config and weights), hex. */
    public static String of(Path... files) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                md.update(Files.readAllBytes(f));
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + List.of(files), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
