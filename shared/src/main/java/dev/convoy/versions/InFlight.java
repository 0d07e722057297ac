package dev.convoy.versions;

import dev.convoy.ops.Operation;
import java.util.List;

/** A revision expanded and not yet contracted, with its operations. */
public record InFlight(String revision, List<Operation> operations) {
  public InFlight {
    operations = List.copyOf(operations);
  }
}
