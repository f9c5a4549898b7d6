package io.github.t2i4j.core.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JSON Lines appends, atomic rewrites, a cut last line, and staged folders moved into place. */
class JsonLinesTest {

    private static JsonObject row(int i) {
        JsonObject o = new JsonObject();
        o.addProperty("i", i);
        return o;
    }

    @Test
    void appendRewriteAndACutLastLine(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("rows.jsonl");
        assertEquals(List.of(), JsonLines.read(file, o -> o.get("i").getAsInt(), "a row").items());
        JsonLines.append(file, JsonLines.lines(List.of(1, 2), JsonLinesTest::row));
        JsonLines.append(file, row(3) + "\n");
        JsonLines.Contents<Integer> all = JsonLines.read(file, o -> o.get("i").getAsInt(), "a row");
        assertEquals(List.of(1, 2, 3), all.items());
        assertFalse(all.lastLineCut());

        Files.writeString(file, Files.readString(file) + "{\"i\": 4");
        JsonLines.Contents<Integer> cut = JsonLines.read(file, o -> o.get("i").getAsInt(), "a row");
        assertEquals(List.of(1, 2, 3), cut.items());
        assertEquals(7, cut.cutLastLine());

        JsonLines.write(file, cut.items(), JsonLinesTest::row);
        assertEquals(List.of(1, 2, 3), JsonLines.read(file, o -> o.get("i").getAsInt(), "a row").items());
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary file left");
        }

        Files.writeString(file, "{\"i\": 1}\nnot json\n{\"i\": 3}\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JsonLines.read(file, o -> o.get("i").getAsInt(), "a row"));
        assertTrue(e.getMessage().contains("line 2 is not a row"), e.getMessage());
    }

    @Test
    void stagedFolderReplacesItsEntriesAndKeepsTheRest(@TempDir Path dir) throws Exception {
        Path target = dir.resolve("model");
        AtomicFiles.writeString(target.resolve("sub/old.txt"), "old");
        AtomicFiles.writeString(target.resolve("keep.txt"), "keep");
        Path staged = Files.createTempDirectory(dir, ".staged-");
        AtomicFiles.writeString(staged.resolve("sub/new.txt"), "new");
        AtomicFiles.writeString(staged.resolve("file.txt"), "file");
        AtomicFiles.moveInto(staged, target);
        assertFalse(Files.exists(staged));
        assertFalse(Files.exists(target.resolve("sub/old.txt")), "a staged folder replaces the old one whole");
        assertEquals("new", Files.readString(target.resolve("sub/new.txt")));
        assertEquals("file", Files.readString(target.resolve("file.txt")));
        assertEquals("keep", Files.readString(target.resolve("keep.txt")));
        AtomicFiles.deleteTree(target);
        assertFalse(Files.exists(target));
        AtomicFiles.deleteTree(target);
    }
}
