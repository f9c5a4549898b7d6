package io.github.t2i4j.core.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Opens a model's weights the way diffusers and transformers find them: a {@code .safetensors}
 * file, a sharded {@code .safetensors.index.json}, or a model folder holding {@code
 * diffusion_pytorch_model.safetensors} (diffusers) or {@code model.safetensors} (transformers),
 * each possibly sharded and possibly in a variant such as {@code fp16}
 * ({@code diffusion_pytorch_model.fp16.safetensors}, {@code
 * diffusion_pytorch_model.safetensors.index.fp16.json}).
 *
 * <p>PyTorch pickle checkpoints ({@code .bin}, {@code .ckpt}, {@code .pt}, {@code .pth}) are not
 * read: the error says so and how to convert them.
 */
public final class Checkpoints {

    /** Weight file base names, in the order they are looked for. */
    public static final List<String> WEIGHT_NAMES = List.of("diffusion_pytorch_model", "model");

    private static final List<String> PICKLE_SUFFIXES = List.of(".bin", ".ckpt", ".pt", ".pth");

    private Checkpoints() {}

    /** Opens a file or a model folder (no variant). */
    public static TensorSource open(Path path) {
        return open(path, null);
    }

    /**
     * Opens a file, or the weights in a model folder in the given variant ({@code null} for
     * none). The variant only applies to folders; a file is opened as it is.
     */
    public static TensorSource open(Path path, String variant) {
        if (Files.isDirectory(path)) {
            return openFile(find(path, variant));
        }
        if (!Files.exists(path)) {
            throw new CheckpointException("no checkpoint at " + path + ": no such file or folder");
        }
        return openFile(path);
    }

    private static TensorSource openFile(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        for (String suffix : PICKLE_SUFFIXES) {
            if (name.endsWith(suffix) || name.endsWith(suffix + ".index.json")) {
                throw new CheckpointException(
                        "cannot read " + file + ": " + pickleAdvice(file));
            }
        }
        if (name.endsWith(".json")) {
            return ShardedSafetensors.open(file);
        }
        return SafetensorsFile.open(file);
    }

    /** The weight file names looked for in a folder, in order. */
    public static List<String> candidates(String variant) {
        List<String> out = new ArrayList<>();
        String v = variant == null ? "" : "." + variant;
        for (String base : WEIGHT_NAMES) {
            out.add(base + v + ".safetensors");
            out.add(base + ".safetensors.index" + v + ".json");
        }
        return out;
    }

    /**
     * The weights file (or index) {@link #open(Path, String)} would open in a model folder; a
     * {@link CheckpointException} naming what was looked for, and what was found instead, if none.
     */
    public static Path find(Path folder, String variant) {
        if (variant != null && (variant.isEmpty() || variant.contains("/") || variant.contains("\\"))) {
            throw new IllegalArgumentException("invalid variant: '" + variant + "'");
        }
        List<String> names = candidates(variant);
        for (String n : names) {
            Path p = folder.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        List<String> present;
        try (Stream<Path> s = Files.list(folder)) {
            present = s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + folder + ": " + e, e);
        }
        StringBuilder sb =
                new StringBuilder("no safetensors weights in ")
                        .append(folder)
                        .append(": looked for ")
                        .append(String.join(", ", names))
                        .append('.');
        if (variant != null) {
            for (String n : candidates(null)) {
                if (present.contains(n)) {
                    sb.append(" Found ").append(n).append(" without the '").append(variant)
                            .append("' variant: open it without a variant.");
                    break;
                }
            }
        }
        for (String n : present) {
            for (String base : WEIGHT_NAMES) {
                String variantOf = variantOf(n, base);
                if (variantOf != null && !variantOf.equals(variant)) {
                    sb.append(" Found ").append(n).append(": open it with variant '")
                            .append(variantOf).append("'.");
                }
            }
        }
        for (String n : present) {
            String lower = n.toLowerCase(Locale.ROOT);
            if (PICKLE_SUFFIXES.stream().anyMatch(lower::endsWith)) {
                sb.append(" Found ").append(n).append(": ").append(pickleAdvice(folder.resolve(n)));
                break;
            }
        }
        List<String> others =
                present.stream()
                        .filter(n -> n.endsWith(".safetensors") && !isWeightName(n))
                        .collect(Collectors.toList());
        if (!others.isEmpty()) {
            sb.append(" Other safetensors files here (pass one as a file to open it): ")
                    .append(String.join(", ", others))
                    .append('.');
        }
        if (present.contains("model_index.json")) {
            sb.append(" This is a diffusers pipeline folder: open one of its component folders"
                    + " (unet, vae, text_encoder, ...) instead.");
        }
        throw new CheckpointException(sb.toString());
    }

    private static boolean isWeightName(String n) {
        for (String base : WEIGHT_NAMES) {
            if (n.equals(base + ".safetensors") || variantOf(n, base) != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * The variant of a weight file name as diffusers names it ({@code model.fp16.safetensors},
     * {@code model.safetensors.index.fp16.json}), else null.
     */
    private static String variantOf(String fileName, String base) {
        String[][] forms = {{base + ".", ".safetensors"}, {base + ".safetensors.index.", ".json"}};
        for (String[] f : forms) {
            if (fileName.length() > f[0].length() + f[1].length()
                    && fileName.startsWith(f[0])
                    && fileName.endsWith(f[1])) {
                String v = fileName.substring(f[0].length(), fileName.length() - f[1].length());
                if (v.matches("[A-Za-z0-9_]+") && !v.equals("safetensors")) {
                    return v;
                }
            }
        }
        return null;
    }

    private static String pickleAdvice(Path file) {
        String fileName = file.getFileName().toString();
        Path folder = file.toAbsolutePath().getParent();
        String out = fileName.replaceAll("\\.(bin|ckpt|pt|pth)$", ".safetensors");
        if (out.equals(fileName)) {
            out = fileName + ".safetensors";
        }
        return "PyTorch pickle checkpoints (.bin, .ckpt, .pt, .pth) are not supported"
                + " (reading them needs Python's unpickler, which can run arbitrary code)."
                + " Convert it to safetensors once with Python, e.g. in "
                + folder
                + ": `python -c \"import torch; from safetensors.torch import save_file;"
                + " save_file(torch.load('"
                + fileName
                + "', map_location='cpu', weights_only=True), '"
                + out
                + "', metadata={'format': 'pt'})\"`,"
                + " or load the model with diffusers/transformers and call"
                + " save_pretrained(folder, safe_serialization=True)"
                + " (for a single-file .ckpt Stable Diffusion checkpoint:"
                + " StableDiffusionPipeline.from_single_file(...).save_pretrained(folder)).";
    }
}
