package io.github.t2i4j.core.world;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The structured meaning of a caption: the objects it names (in a fixed order that need not be the
 * order of mention), the relations it states between them, its {@link Category} and the caption text.
 * Two captions with the same {@link #sameMeaning meaning} may be phrased very differently ("a red
 * circle left of a square" / "a square to the right of one red circle").
 *
 * <p>Requirements ({@link #requirements()}): one per object, then one per relation. Matching a set of
 * (detected or generated) objects against the prompt ({@link #match}) assigns each prompt object to a
 * distinct scene object (or none) so as to meet as many requirements as possible; an object requirement
 * is met when its assigned object {@link ObjectSpec#matches matches}; a relation requirement is met when
 * both its objects' requirements are met and the {@link Relation#holds relation holds} between their
 * placements. Generated prompts name objects that no other object of the scene could be mistaken for,
 * so for generated scenes the assignment is unique.
 */
public record CompositionPrompt(
        String caption, Category category, List<ObjectSpec> objects, List<RelationSpec> relations) {

    public CompositionPrompt {
        Objects.requireNonNull(caption, "caption");
        Objects.requireNonNull(category, "category");
        objects = List.copyOf(objects);
        relations = List.copyOf(relations);
        if (objects.isEmpty() || objects.size() > Scene.MAX_OBJECTS) {
            throw new IllegalArgumentException("a prompt names 1 to 3 objects, got " + objects.size());
        }
        for (RelationSpec r : relations) {
            if (r.subject() >= objects.size() || r.object() >= objects.size()) {
                throw new IllegalArgumentException("relation " + r + " refers past " + objects.size() + " objects");
            }
        }
    }

    /** The same meaning with another caption. */
    public CompositionPrompt withCaption(String text) {
        return new CompositionPrompt(text, category, objects, relations);
    }

    /** Same category, objects and relations (the caption may differ). */
    public boolean sameMeaning(CompositionPrompt other) {
        return category == other.category && objects.equals(other.objects) && relations.equals(other.relations);
    }

    /**
     * The same meaning in a canonical form: objects sorted (by shape, then colour, texture and size,
     * unspecified first), each relation stated as LEFT_OF, ABOVE, BIGGER_THAN or SAME_SIZE_AS (with
     * the lower index as subject), relations sorted. Two prompts are {@link #equivalent} when their
     * canonical forms have the same meaning.
     */
    public CompositionPrompt canonical() {
        java.util.Comparator<ObjectSpec> order =
                java.util.Comparator.comparing(ObjectSpec::shape)
                        .thenComparing(ObjectSpec::colour, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                        .thenComparing(ObjectSpec::texture, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()))
                        .thenComparing(ObjectSpec::size, java.util.Comparator.nullsFirst(java.util.Comparator.naturalOrder()));
        List<ObjectSpec> sorted = new ArrayList<>(objects);
        sorted.sort(order);
        int[] newIndex = new int[objects.size()];
        boolean[] taken = new boolean[objects.size()];
        for (int i = 0; i < objects.size(); i++) {
            for (int j = 0; j < sorted.size(); j++) {
                if (!taken[j] && sorted.get(j).equals(objects.get(i))) {
                    newIndex[i] = j;
                    taken[j] = true;
                    break;
                }
            }
        }
        List<RelationSpec> rels = new ArrayList<>();
        for (RelationSpec r : relations) {
            RelationSpec m = new RelationSpec(newIndex[r.subject()], r.relation(), newIndex[r.object()]);
            boolean flip =
                    switch (m.relation()) {
                        case RIGHT_OF, BELOW, SMALLER_THAN -> true;
                        case SAME_SIZE_AS -> m.subject() > m.object();
                        default -> false;
                    };
            rels.add(flip ? m.inverted() : m);
        }
        rels.sort(java.util.Comparator.comparingInt(RelationSpec::subject)
                .thenComparing(RelationSpec::relation)
                .thenComparingInt(RelationSpec::object));
        return new CompositionPrompt(caption, category, sorted, rels);
    }

    /** Same meaning up to the order of objects and the direction relations are stated in. */
    public boolean equivalent(CompositionPrompt other) {
        return canonical().sameMeaning(other.canonical());
    }

    /** Object requirements (in object order), then relation requirements (in relation order). */
    public List<Requirement> requirements() {
        List<Requirement> out = new ArrayList<>();
        for (int i = 0; i < objects.size(); i++) {
            out.add(new Requirement.HasObject(i, objects.get(i)));
        }
        for (RelationSpec r : relations) {
            out.add(new Requirement.Holds(r));
        }
        return out;
    }

    /** Whether any named object is a held-out colour-shape pair. */
    public boolean isHeldOut() {
        return objects.stream().anyMatch(ObjectSpec::isHeldOutCombination);
    }

    /** Best match against scene objects, relations checked on the objects' own placements. */
    public PromptMatch match(List<SceneObject> sceneObjects) {
        return match(sceneObjects, sceneObjects.stream().map(SceneObject::placement).toList());
    }

    /**
     * Best match against scene objects whose geometry is given separately (e.g. measured from pixels:
     * {@code placements.get(j)} belongs to {@code sceneObjects.get(j)}). Ties go to the first
     * assignment in lexicographic order of scene-object indices, "none" last.
     */
    public PromptMatch match(List<SceneObject> sceneObjects, List<Placement> placements) {
        if (placements.size() != sceneObjects.size()) {
            throw new IllegalArgumentException("one placement per scene object");
        }
        int n = objects.size();
        boolean[][] fits = new boolean[n][sceneObjects.size()];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < sceneObjects.size(); j++) {
                fits[i][j] = objects.get(i).matches(sceneObjects.get(j));
            }
        }
        int[] current = new int[n];
        int[][] best = {null};
        int[] bestCount = {-1};
        search(0, current, new boolean[sceneObjects.size()], fits, placements, best, bestCount);
        return new PromptMatch(this, best[0], met(best[0], fits, placements));
    }

    /** Whether all requirements are met by these objects. */
    public boolean isSatisfiedBy(Scene scene) {
        return match(scene.objects()).allMet();
    }

    private void search(
            int i,
            int[] current,
            boolean[] used,
            boolean[][] fits,
            List<Placement> placements,
            int[][] best,
            int[] bestCount) {
        if (i == current.length) {
            boolean[] met = met(current, fits, placements);
            int count = 0;
            for (boolean b : met) {
                count += b ? 1 : 0;
            }
            if (count > bestCount[0]) {
                bestCount[0] = count;
                best[0] = current.clone();
            }
            return;
        }
        for (int j = 0; j <= used.length; j++) {
            int choice = j == used.length ? -1 : j;
            if (choice >= 0 && used[choice]) {
                continue;
            }
            current[i] = choice;
            if (choice >= 0) {
                used[choice] = true;
            }
            search(i + 1, current, used, fits, placements, best, bestCount);
            if (choice >= 0) {
                used[choice] = false;
            }
        }
    }

    private boolean[] met(int[] assignment, boolean[][] fits, List<Placement> placements) {
        int n = objects.size();
        boolean[] met = new boolean[n + relations.size()];
        for (int i = 0; i < n; i++) {
            met[i] = assignment[i] >= 0 && fits[i][assignment[i]];
        }
        for (int k = 0; k < relations.size(); k++) {
            RelationSpec r = relations.get(k);
            met[n + k] =
                    met[r.subject()]
                            && met[r.object()]
                            && r.relation()
                                    .holds(placements.get(assignment[r.subject()]), placements.get(assignment[r.object()]));
        }
        return met;
    }
}
