package dev.convoy.schema;

import java.util.List;

/** {@code CREATE TYPE name AS ENUM (labels)}, labels in their sort order. */
public record EnumType(String name, List<String> labels, String comment) {
  public EnumType {
    labels = List.copyOf(labels);
  }
}
