package io.github.t2i4j.examples;

import ai.djl.Device;
import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import io.github.t2i4j.itercomp.gallery.GrammarPlanner;
import io.github.t2i4j.itercomp.gallery.LayoutGenerator;
import io.github.t2i4j.itercomp.gallery.ModelGallery;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The {@code --member} specs of {@code itercomp gallery}, one gallery member each:
 *
 * <ul>
 *   <li>{@code NAME=DIR}: a diffusers pipeline or STAR folder, or a shipped model's name ({@code
 *       world-ldm}, {@code star}, ...), as {@code evaluate --model} takes it;
 *   <li>{@code NAME=planned:DIR} (or {@code NAME=planned}: on the embedded model): the planned
 *       member, grammar planner and regional prompting on that StableDiffusionPipeline;
 *   <li>{@code NAME=layout:PIPELINE_DIR,GLIGEN_DIR}: the layout-based member, the GLIGEN UNet
 *       folder trained on that pipeline, planned by the grammar.
 * </ul>
 *
 * {@code NAME} names the member's report folder and its row of the table ({@link
 * ModelGallery#NAME}). Every spec is checked (syntax, names, folders) before any model loads; a
 * bad one is a usage error naming it.
 */
final class GalleryMembers {
    /** The kind prefix of the layout-based member. */
    static final String LAYOUT = "layout";
    /** What a spec looks like, for messages. */
    static final String FORMS = "NAME=DIR, NAME=planned:DIR or NAME=layout:PIPELINE_DIR,GLIGEN_DIR";

    private static final String SD_CLASS = "StableDiffusionPipeline";

    private GalleryMembers() {}

    /** The kinds of member. */
    enum Kind { MODEL, PLANNED, LAYOUT }

    /**
     * One parsed spec.
     *
     * @param text the spec as given
     * @param pipeline the model folder (the base pipeline of a planned or layout member)
     * @param gligen the GLIGEN UNet folder of a layout member, else null
     */
    record Spec(String text, String name, Kind kind, Path pipeline, Path gligen) {}

    /** Parses and checks every spec, names unique (also ignoring case: they name folders). */
    static List<Spec> parse(List<String> specs, CommandLine commandLine) {
        Map<String, Spec> byName = new LinkedHashMap<>();
        for (String text : specs) {
            Spec s = parse(text, commandLine);
            Spec other = byName.putIfAbsent(s.name().toLowerCase(Locale.ROOT), s);
            if (other != null) {
                throw error(commandLine, text, "the name \"" + s.name() + "\" is taken by --member " + other.text()
                        + (other.name().equals(s.name()) ? "" : " (names must differ in more than case)"));
            }
        }
        return new ArrayList<>(byName.values());
    }

    /** Parses and checks one spec: its syntax, its name and that its folders are there. */
    static Spec parse(String text, CommandLine commandLine) {
        int eq = text == null ? -1 : text.indexOf('=');
        if (eq < 0) {
            throw error(commandLine, text, "expected " + FORMS);
        }
        String name = text.substring(0, eq);
        String value = text.substring(eq + 1);
        try {
            ModelGallery.requireValidName(name);
        } catch (IllegalArgumentException e) {
            throw error(commandLine, text, e.getMessage());
        }
        if (value.isEmpty()) {
            throw error(commandLine, text, "no model after '='; expected " + FORMS);
        }
        String planned = EvaluateCommand.PLANNED;
        if (value.equals(planned) || value.startsWith(planned + ":")) {
            String dir = value.equals(planned) ? null : value.substring(planned.length() + 1);
            if (dir != null && dir.isEmpty()) {
                throw error(commandLine, text, "no folder after 'planned:'; expected NAME=planned:DIR");
            }
            return new Spec(text, name, Kind.PLANNED, stableDiffusion(dir, text, commandLine), null);
        }
        if (value.startsWith(LAYOUT + ":")) {
            String[] dirs = value.substring(LAYOUT.length() + 1).split(",", -1);
            if (dirs.length != 2 || dirs[0].isEmpty() || dirs[1].isEmpty()) {
                throw error(commandLine, text, "expected NAME=layout:PIPELINE_DIR,GLIGEN_DIR");
            }
            Path pipeline = stableDiffusion(dirs[0], text, commandLine);
            Path gligen = path(dirs[1], text, commandLine);
            if (!Files.isRegularFile(gligen.resolve("config.json"))) {
                throw error(commandLine, text, dirs[1] + (Files.isDirectory(gligen)
                        ? " is a directory without config.json (not a GLIGEN UNet folder)" : " does not exist"));
            }
            return new Spec(text, name, Kind.LAYOUT, pipeline, gligen);
        }
        return new Spec(text, name, Kind.MODEL, model(value, text, commandLine), null);
    }

    /**
     * Opens every member into a gallery, in the specs' order; what was opened is closed again if
     * one fails. A folder that does not load as its kind asks (e.g. a planned member on an SDXL
     * folder) is a usage error naming its spec.
     *
     * @param steps denoising steps of the diffusion, planned and layout members
     * @param guidance guidance scale of every member, or null for each one's default
     */
    static ModelGallery open(List<Spec> specs, String device, int steps, Float guidance, CommandLine commandLine) {
        ModelGallery gallery = new ModelGallery();
        try {
            for (Spec s : specs) {
                TextToImageGenerator g;
                try {
                    g = open(s, device, steps, guidance);
                } catch (IllegalArgumentException e) {
                    throw error(commandLine, s.text(), e.getMessage());
                }
                try {
                    gallery.add(s.name(), g);
                } catch (RuntimeException e) {
                    g.close();
                    throw e;
                }
            }
            return gallery;
        } catch (RuntimeException e) {
            try {
                gallery.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static TextToImageGenerator open(Spec s, String device, int steps, Float guidance) {
        switch (s.kind()) {
            case PLANNED:
                return EvaluationRuns.planned(s.name(), s.pipeline(), device, steps, guidance, null);
            case LAYOUT: {
                LayoutGenerator.Settings settings = LayoutGenerator.Settings.defaults().withSteps(steps);
                if (guidance != null) {
                    settings = settings.withGuidanceScale(guidance);
                }
                return LayoutGenerator.load(s.name(), s.pipeline(), s.gligen(), Device.fromName(device),
                        new GrammarPlanner(), settings);
            }
            default:
                return Generators.open(s.pipeline(), device, steps, guidance, null);
        }
    }

    /** A model folder as {@code evaluate --model} resolves it (folder or shipped name); null: the embedded model. */
    private static Path model(String dir, String spec, CommandLine commandLine) {
        if (dir != null) {
            path(dir, spec, commandLine); // a clear message for a malformed path
        }
        try {
            return DefaultModel.resolve(dir, commandLine);
        } catch (ParameterException e) {
            if (dir == null) {
                throw error(commandLine, spec, "the embedded model " + DefaultModel.RELATIVE
                        + " is not here; run from the repository root or give planned:DIR");
            }
            String why = Files.isDirectory(Path.of(dir))
                    ? " is a directory without model_index.json (not a diffusers pipeline or STAR folder)"
                    : " is neither a directory nor a shipped model";
            throw error(commandLine, spec, dir + why + "; shipped: " + DefaultModel.shipped());
        }
    }

    /** A model folder that must hold a StableDiffusionPipeline (the base of a planned or layout member). */
    private static Path stableDiffusion(String dir, String spec, CommandLine commandLine) {
        Path p = model(dir, spec, commandLine);
        String cls;
        try {
            cls = Generators.className(p);
        } catch (IllegalArgumentException e) {
            throw error(commandLine, spec, e.getMessage());
        }
        if (!SD_CLASS.equals(cls)) {
            throw error(commandLine, spec, p + " is a " + (cls.isEmpty() ? "model without _class_name" : cls)
                    + " folder; planned and layout members need a " + SD_CLASS);
        }
        return p;
    }

    private static Path path(String dir, String spec, CommandLine commandLine) {
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            throw error(commandLine, spec, "\"" + dir + "\" is not a valid path: " + e.getMessage());
        }
    }

    private static ParameterException error(CommandLine commandLine, String spec, String message) {
        return new ParameterException(commandLine, "--member " + spec + ": " + message);
    }
}
