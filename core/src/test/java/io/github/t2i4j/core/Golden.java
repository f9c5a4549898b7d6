package io.github.t2i4j.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * Access to the golden test vectors (reference outputs of diffusers, transformers and VAR). The
 * folder comes from the system property {@code t2i4j.golden.dir}, defaulting to the copy inside
 * the project, so another golden set with the same layout is checked by the same tests.
 */
public final class Golden {
    private Golden() {}

    /** The golden root folder. */
    public static Path root() {
        String dir = System.getProperty("t2i4j.golden.dir");
        Path p = dir == null || dir.isBlank() ? defaultRoot() : Paths.get(dir);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException("golden folder not found: " + p.toAbsolutePath());
        }
        return p;
    }

    private static Path defaultRoot() {
        Path here = Paths.get("").toAbsolutePath();
        for (Path p = here; p != null; p = p.getParent()) {
            Path candidate = p.resolve("core/src/test/golden");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            if (p.getFileName() != null && p.getFileName().toString().equals("core")
                    && Files.isDirectory(p.resolve("src/test/golden"))) {
                return p.resolve("src/test/golden");
            }
        }
        return here.resolve("src/test/golden");
    }

    /** One case's folder, e.g. {@code unet_sd}. */
    public static Path dir(String name) {
        return root().resolve(name);
    }

    /** A case's {@code config.json}. */
    public static JsonObject config(String name) {
        try {
            return JsonParser.parseString(Files.readString(dir(name).resolve("config.json")))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Max |a - b| over all elements, after checking shapes agree. */
    public static double maxAbsDiff(NDArray expected, NDArray actual) {
        assertEquals(expected.getShape(), actual.getShape(), "shape");
        NDArray e = expected.toType(DataType.FLOAT64, false);
        NDArray a = actual.toType(DataType.FLOAT64, false).toDevice(e.getDevice(), false);
        return e.sub(a).abs().max().getDouble();
    }

    /** Asserts max |expected - actual| <= tol, naming what is compared. */
    public static void assertClose(String what, NDArray expected, NDArray actual, double tol) {
        double d = maxAbsDiff(expected, actual);
        assertTrue(d <= tol, what + ": max abs error " + d + " > " + tol);
    }
}
