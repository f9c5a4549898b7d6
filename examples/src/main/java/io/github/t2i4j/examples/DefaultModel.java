package io.github.t2i4j.examples;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine;

/**
 * Finds model folders for {@code --model}: a directory, or the name of a folder shipped in {@code
 * models/} ({@code world-ldm}, {@code star}, ...), looked up in the working directory and in the
 * checkout the running jar was built in ({@code examples/target/t2i4j.jar} → {@code ../../models}),
 * so that the commands work from the repository root or elsewhere. With no {@code --model} it is
 * the embedded default, {@code models/world-ldm}.
 */
final class DefaultModel {
    /** The shipped models' folder, relative to the repository root. */
    static final Path MODELS = Path.of("models");
    /** The shipped latent-diffusion pipeline, relative to the repository root. */
    static final Path RELATIVE = MODELS.resolve("world-ldm");

    private DefaultModel() {}

    /** {@code explicit} if given, else the default model; a clear error when neither exists. */
    static Path resolve(Path explicit, CommandLine commandLine) {
        return resolve(explicit == null ? null : explicit.toString(), commandLine);
    }

    /**
     * The folder {@code model} names: a directory with a {@code model_index.json}, else a shipped
     * model's name; the default model when null. A clear error, listing the shipped models, when
     * it is neither.
     */
    static Path resolve(String model, CommandLine commandLine) {
        String name = model == null ? RELATIVE.getFileName().toString() : model;
        Path given = model == null ? null : Path.of(model);
        if (given != null && Files.isRegularFile(given.resolve("model_index.json"))) {
            return given;
        }
        // a shipped name before a same-named folder that is no model (from the repository root,
        // "star" is also the STAR module's source folder)
        if (!name.contains("/") && !name.contains("\\")) {
            for (Path root : roots()) {
                Path dir = root.resolve(name);
                if (Files.isRegularFile(dir.resolve("model_index.json"))) {
                    return dir;
                }
            }
        }
        if (given != null && Files.isDirectory(given)) {
            throw new CommandLine.ParameterException(commandLine, "--model " + model
                    + " is a directory without model_index.json (not a diffusers pipeline or STAR folder); shipped: "
                    + shipped());
        }
        if (model == null) {
            throw new CommandLine.ParameterException(commandLine, "no --model given and the default model " + RELATIVE
                    + " is not here; run from the repository root or pass --model DIR");
        }
        throw new CommandLine.ParameterException(commandLine, "--model " + model
                + " is neither a directory nor a shipped model; shipped: " + shipped());
    }

    /** The names of the shipped models found (folders of models/ with a model_index.json). */
    static List<String> shipped() {
        for (Path root : roots()) {
            if (Files.isDirectory(root)) {
                try (Stream<Path> s = Files.list(root)) {
                    List<String> names = s.filter(d -> Files.isRegularFile(d.resolve("model_index.json")))
                            .map(d -> d.getFileName().toString()).sorted().toList();
                    if (!names.isEmpty()) {
                        return names;
                    }
                } catch (IOException e) {
                    // try the next root
                }
            }
        }
        return List.of();
    }

    private static List<Path> roots() {
        Path fromJar = modelsNextToJar();
        return fromJar == null ? List.of(MODELS) : List.of(MODELS, fromJar);
    }

    private static Path modelsNextToJar() {
        try {
            Path jar = Path.of(DefaultModel.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path root = jar.getParent() == null ? null : jar.getParent().getParent();
            root = root == null ? null : root.getParent();
            return root == null ? null : root.resolve(MODELS);
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            return null;
        }
    }
}
