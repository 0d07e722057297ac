package dev.convoy.schema;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The changes found so far, each in its {@link DiffOrder} slot; read back in slot order. */
final class Plan {
  private record Entry(DiffOrder slot, int seq, Change change) {}

  private final List<Entry> entries = new ArrayList<>();

  void add(DiffOrder slot, String summary, OpYaml yaml, boolean losesData) {
    entries.add(new Entry(slot, entries.size(), new Change(summary, yaml.text(), losesData)));
  }

  /** The changes in dependency order; within a slot, in the order they were found. */
  List<Change> changes() {
    return entries.stream()
        .sorted(Comparator.comparing(Entry::slot).thenComparingInt(Entry::seq))
        .map(Entry::change)
        .toList();
  }
}
