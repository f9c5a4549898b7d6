package io.github.t2i4j.itercomp.gallery;

import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * IterComp's model gallery: text-to-image models with different composition preferences, each
 * better than the others at some of attribute binding, spatial and non-spatial relations (six open
 * diffusion models in the paper, plain text-to-image ones with the layout-based InstanceDiffusion
 * and the planned RPG; here the world's diffusion and STAR models, the {@link PlannedGenerator} and
 * the {@link LayoutGenerator}). Their images for the same prompts, ranked per category, are the
 * preference data the reward models learn from; in each later round the model optimised by
 * feedback learning joins the gallery ({@link #add}). {@link GalleryComparison} tabulates who leads
 * which category.
 *
 * <p>An ordered collection of named members: in the order added, names unique (also ignoring case,
 * as they name report folders), non-empty and file-name safe ({@link #NAME}). The gallery owns its
 * members: {@link #close()} closes every one. Not thread-safe.
 */
public final class ModelGallery implements AutoCloseable {

    /** A member's name: a letter or digit, then up to 63 letters, digits, '.', '_' or '-'. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    private final List<TextToImageGenerator> members = new ArrayList<>();
    private boolean closed;

    /** An empty gallery. */
    public ModelGallery() {}

    /**
     * A gallery of these generators under their own names.
     *
     * @throws IllegalArgumentException if a name is invalid or repeated (then none is taken: the
     *     caller still owns and closes them)
     */
    public ModelGallery(List<? extends TextToImageGenerator> generators) {
        Objects.requireNonNull(generators, "generators");
        List<String> names = new ArrayList<>();
        for (TextToImageGenerator g : generators) {
            Objects.requireNonNull(g, "null member");
            requireValidName(g.name());
            requireNew(names, g.name());
            names.add(g.name());
        }
        members.addAll(generators);
    }

    /**
     * Checks a member name: non-null, non-empty and file-name safe ({@link #NAME}).
     *
     * @return the name
     * @throws IllegalArgumentException saying what is wrong
     */
    public static String requireValidName(String name) {
        if (name == null || name.isEmpty()) {
            throw new IllegalArgumentException("a gallery member needs a non-empty name");
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("gallery member name \"" + name + "\" is not file-name safe: use a letter"
                    + " or digit, then up to 63 letters, digits, '.', '_' or '-'");
        }
        return name;
    }

    /**
     * Adds a member under its own name (e.g. the model optimised in a round of feedback learning);
     * the gallery owns it from now on.
     *
     * @return this gallery
     * @throws IllegalArgumentException if its name is invalid or taken (then it is not taken)
     */
    public ModelGallery add(TextToImageGenerator generator) {
        Objects.requireNonNull(generator, "generator");
        if (closed) {
            throw new IllegalStateException("the gallery is closed");
        }
        String name = requireValidName(generator.name());
        requireNew(names(), name);
        members.add(generator);
        return this;
    }

    /**
     * Adds {@code generator} under {@code name} (its own name when they are equal; otherwise
     * wrapped so that {@link TextToImageGenerator#name()} is {@code name}); closing the gallery
     * closes it.
     */
    public ModelGallery add(String name, TextToImageGenerator generator) {
        Objects.requireNonNull(generator, "generator");
        requireValidName(name);
        return add(name.equals(generator.name()) ? generator : new Renamed(name, generator));
    }

    /** The members, in the order added. */
    public List<TextToImageGenerator> members() {
        return List.copyOf(members);
    }

    /** The members' names, in the order added. */
    public List<String> names() {
        return members.stream().map(TextToImageGenerator::name).toList();
    }

    /** Number of members. */
    public int size() {
        return members.size();
    }

    /** Whether a member has this name. */
    public boolean contains(String name) {
        return names().contains(name);
    }

    /**
     * The member named {@code name}.
     *
     * @throws IllegalArgumentException if there is none
     */
    public TextToImageGenerator member(String name) {
        for (TextToImageGenerator g : members) {
            if (g.name().equals(name)) {
                return g;
            }
        }
        throw new IllegalArgumentException("no gallery member named \"" + name + "\"; members: " + names());
    }

    /**
     * Closes every member, the last added first, even when one fails (the first failure is thrown
     * with the others suppressed). Closing again does nothing.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        RuntimeException failure = null;
        for (int i = members.size() - 1; i >= 0; i--) {
            try {
                members.get(i).close();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "ModelGallery" + names();
    }

    private static void requireNew(List<String> taken, String name) {
        for (String t : taken) {
            if (t.toLowerCase(Locale.ROOT).equals(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("gallery member name \"" + name + "\" is taken"
                        + (t.equals(name) ? "" : " (as \"" + t + "\"; names must differ in more than case)")
                        + "; members: " + taken);
            }
        }
    }

    /** A generator under another name. */
    private record Renamed(String name, TextToImageGenerator generator) implements TextToImageGenerator {
        @Override
        public List<BufferedImage> generate(List<String> prompts, long seed) {
            return generator.generate(prompts, seed);
        }

        @Override
        public void close() {
            generator.close();
        }
    }
}
