package io.github.t2i4j.core.world.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.t2i4j.core.world.Category;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluationSummaryTest {

    @Test
    void categoriesWeighEquallyInOverallAndSingleStaysOut() {
        List<Evaluation> all = new ArrayList<>();
        all.add(eval(Category.COLOR, 1, 1)); // 2 of 2
        all.add(eval(Category.COLOR, 1, 2)); // 1 of 2
        all.add(eval(Category.SPATIAL, 3, 3));
        all.add(eval(Category.SPATIAL, 3, 3));
        all.add(eval(Category.SPATIAL, 3, 3));
        all.add(eval(Category.SPATIAL, 0, 3));
        all.add(eval(Category.SINGLE, 0, 1));
        EvaluationSummary s = EvaluationSummary.of(all);

        assertEquals(0.75, s.score(Category.COLOR), 1e-12);
        assertEquals(0.5, s.allCorrect(Category.COLOR), 1e-12);
        assertEquals(0.75, s.score(Category.SPATIAL), 1e-12);
        assertEquals(0.75, s.allCorrect(Category.SPATIAL), 1e-12);
        assertEquals(0.0, s.score(Category.SINGLE), 1e-12);
        assertNull(s.score(Category.TEXTURE));
        assertEquals(0.75, s.overall(), 1e-12); // mean of color and spatial, single excluded
        assertEquals(7, s.images());
        assertEquals(List.of("color", "spatial", "single"), List.copyOf(s.categories().keySet()));

        JsonObject json = JsonParser.parseString(s.toJsonString()).getAsJsonObject();
        assertEquals(0.75, json.getAsJsonObject("categories").get("color").getAsDouble(), 1e-12);
        assertFalse(json.getAsJsonObject("categories").has("single"));
        assertEquals(0.75, json.get("overall").getAsDouble(), 1e-12);
        assertEquals(0.0, json.getAsJsonObject("all_correct").get("single").getAsDouble(), 1e-12);
        assertEquals(4, json.getAsJsonObject("counts").get("spatial").getAsInt());
        assertEquals(0.0, json.get("single").getAsDouble(), 1e-12);
        assertEquals(7, json.get("images").getAsInt());
    }

    @Test
    void emptySummaryHasNoOverall() {
        EvaluationSummary s = EvaluationSummary.of(List.of());
        assertNull(s.overall());
        assertEquals(0, s.images());
        assertEquals(0, s.toJson().getAsJsonObject("categories").size());
    }

    /** An evaluation of {@code total} object requirements of which the first {@code met} are met. */
    private static Evaluation eval(Category c, int met, int total) {
        List<RequirementResult> reqs = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            reqs.add(new RequirementResult("object", "thing " + i, i < met));
        }
        return new Evaluation("caption", c, reqs, (double) met / total, met == total, List.of(), List.of());
    }
}
