package io.github.t2i4j.core.nn;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** An indexed list of modules, named {@code 0, 1, 2, ...} like {@code torch.nn.ModuleList}. */
public class ModuleList<M extends Module> extends Module implements Iterable<M> {

    private final List<M> items = new ArrayList<>();

    /** Appends a module under the next index. */
    public M add(M m) {
        module(Integer.toString(items.size()), m);
        items.add(m);
        return m;
    }

    public M get(int i) {
        return items.get(i);
    }

    /** The modules in order, as an unmodifiable list. */
    public List<M> asList() {
        return java.util.Collections.unmodifiableList(items);
    }

    public int size() {
        return items.size();
    }

    @Override
    public Iterator<M> iterator() {
        return items.iterator();
    }
}
