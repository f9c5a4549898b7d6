package io.github.t2i4j.examples;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine;

/**
 * Finds the embedded default model, {@code models/world-ldm}: in the working directory, or in the
 * checkout the running jar was built in ({@code examples/target/t2i4j.jar} → {@code ../../models}),
 * so that {@code generate} works without {@code --model} from the repository root or elsewhere.
 */
final class DefaultModel {
    /** The shipped latent-diffusion pipeline, relative to the repository root. */
    static final Path RELATIVE = Path.of("models", "world-ldm");

    private DefaultModel() {}

    /** {@code explicit} if given, else the default model; a clear error when neither exists. */
    static Path resolve(Path explicit, CommandLine commandLine) {
        if (explicit != null) {
            return explicit;
        }
        if (Files.isRegularFile(RELATIVE.resolve("model_index.json"))) {
            return RELATIVE;
        }
        Path fromJar = nextToJar();
        if (fromJar != null && Files.isRegularFile(fromJar.resolve("model_index.json"))) {
            return fromJar;
        }
        throw new CommandLine.ParameterException(
                commandLine,
                "no --model given and the default model " + RELATIVE + " is not here; run from the repository root or pass --model DIR");
    }

    private static Path nextToJar() {
        try {
            Path jar = Path.of(DefaultModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            root = root == null ? null : root.getParent();
            return root == null ? null : root.resolve(RELATIVE);
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }
}
