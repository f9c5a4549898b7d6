package io.github.t2i4j.suti.experts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.t2i4j.core.text.CLIPTokenizer;
import io.github.t2i4j.core.world.Shape;
import io.github.t2i4j.suti.subjects.ContextCaptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpertPromptsTest {

    @Test
    void marksTheClassNounAsAWholeWord() {
        assertEquals("a small sks circle on the left",
                ExpertPrompts.withIdentifier("a small circle on the left", "circle", "sks"));
        assertEquals("show the <subject> large, circles aside",
                ExpertPrompts.replaceNoun("show the circle large, circles aside", "circle", "<subject>"));
        assertThrows(IllegalArgumentException.class, () -> ExpertPrompts.replaceNoun("two circles", "circle", "x"));
    }

    @Test
    void worldIdentifierIsOneKnownTokenThatNoSubjectCaptionUses() {
        Set<String> avoid = new HashSet<>(ContextCaptions.vocabulary());
        for (Shape s : Shape.values()) {
            avoid.add(s.word());
        }
        try (CLIPTokenizer tokenizer = CLIPTokenizer.fromPretrained(worldClip())) {
            String id = ExpertPrompts.chooseIdentifier(tokenizer, ExpertPrompts.WORLD_IDENTIFIER_CANDIDATES, avoid);
            assertEquals(1, tokenizer.tokenize(id).length);
            assertFalse(avoid.contains(id));
            // a word outside the vocabulary (unknown) or one the captions use is never chosen
            assertThrows(IllegalArgumentException.class,
                    () -> ExpertPrompts.chooseIdentifier(tokenizer, List.of("sks", "circle"), avoid));
        }
    }

    static Path worldClip() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("models/world-clip/config.json"))) {
                return dir.resolve("models/world-clip");
            }
        }
        throw new IllegalStateException("models/world-clip not found");
    }
}
