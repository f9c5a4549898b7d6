package io.github.t2i4j.itercomp.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.t2i4j.core.pipelines.TextToImageGenerator;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gallery's names, look-up, later members and closing. */
class ModelGalleryTest {

    /** A generator that records being closed (and may fail to). */
    private static final class Fake implements TextToImageGenerator {
        final String name;
        final List<String> closed;
        final boolean failOnClose;

        Fake(String name, List<String> closed, boolean failOnClose) {
            this.name = name;
            this.closed = closed;
            this.failOnClose = failOnClose;
        }

        Fake(String name, List<String> closed) {
            this(name, closed, false);
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public List<BufferedImage> generate(List<String> prompts, long seed) {
            return prompts.stream().map(p -> new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB)).toList();
        }

        @Override
        public void close() {
            closed.add(name);
            if (failOnClose) {
                throw new IllegalStateException("cannot close " + name);
            }
        }
    }

    @Test
    void membersInOrderByName() {
        List<String> closed = new ArrayList<>();
        Fake a = new Fake("world-ldm", closed);
        Fake b = new Fake("planned_1.0", closed);
        try (ModelGallery g = new ModelGallery(List.of(a, b))) {
            assertEquals(List.of("world-ldm", "planned_1.0"), g.names());
            assertEquals(List.of(a, b), g.members());
            assertSame(b, g.member("planned_1.0"));
            assertTrue(g.contains("world-ldm"));
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> g.member("star"));
            assertTrue(none.getMessage().contains("star") && none.getMessage().contains("world-ldm"), none.getMessage());

            // a later round's optimised model joins, under its own name or another
            Fake optimised = new Fake("round1", closed);
            g.add(optimised);
            TextToImageGenerator renamed = g.add("itercomp-2", new Fake("x y", closed)).member("itercomp-2");
            assertEquals("itercomp-2", renamed.name());
            assertEquals(3, renamed.generate(List.of("a", "b", "c"), 0).size());
            assertEquals(List.of("world-ldm", "planned_1.0", "round1", "itercomp-2"), g.names());
            assertEquals(4, g.size());
        }
        assertEquals(List.of("x y", "round1", "planned_1.0", "world-ldm"), closed, "every member closed, last first");
    }

    @Test
    void namesMustBeUniqueAndFileNameSafe() {
        List<String> closed = new ArrayList<>();
        for (String bad : new String[] {"", "a b", "../up", ".hidden", "x/y", "x\\y", "a|b", "-dash", "x".repeat(65)}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ModelGallery().add(new Fake(bad, closed)), bad);
            assertTrue(e.getMessage().contains("name"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> new ModelGallery().add(new Fake(null, closed)));
        assertThrows(IllegalArgumentException.class, () -> new ModelGallery().add("bad name", new Fake("ok", closed)));
        ModelGallery.requireValidName("x".repeat(64));

        ModelGallery g = new ModelGallery().add(new Fake("a", closed));
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class, () -> g.add(new Fake("a", closed)));
        assertTrue(twice.getMessage().contains("taken"), twice.getMessage());
        assertThrows(IllegalArgumentException.class, () -> g.add(new Fake("A", closed)), "folders would collide");
        assertThrows(IllegalArgumentException.class,
                () -> new ModelGallery(List.of(new Fake("m", closed), new Fake("m", closed))));
        assertEquals(List.of("a"), g.names(), "a refused member is not taken");
        assertTrue(closed.isEmpty(), "nor closed: the caller still owns it");
        g.close();
        assertEquals(List.of("a"), closed);
    }

    @Test
    void closeClosesEveryMemberEvenWhenOneFails() {
        List<String> closed = new ArrayList<>();
        ModelGallery g = new ModelGallery(List.of(new Fake("a", closed, true), new Fake("b", closed),
                new Fake("c", closed, true)));
        IllegalStateException e = assertThrows(IllegalStateException.class, g::close);
        assertEquals("cannot close c", e.getMessage());
        assertEquals(1, e.getSuppressed().length);
        assertEquals(List.of("c", "b", "a"), closed);
        g.close(); // again: nothing more
        assertEquals(3, closed.size());
        assertThrows(IllegalStateException.class, () -> g.add(new Fake("d", closed)));
        assertFalse(g.contains("d"));
    }
}
