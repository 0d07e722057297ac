package dev.convoy.schema;

/**
 * Where a change goes in a generated revision, in the order the slots are declared: types before
 * the tables that use them, tables before the constraints that reference them, constraints dropped
 * before the columns they name change and added after, comments once everything they describe
 * exists, and every drop last, the objects that depend on others first (foreign keys, columns,
 * tables, then the sequences and enums the tables used).
 *
 * <p>Within a revision the engine runs every expand step first and contract steps after, so a drop
 * that must follow a {@code drop_table} (a sequence, an enum) is itself a contract step.
 */
enum DiffOrder {
  SCHEMA_CREATE,
  ENUM_CREATE,
  ENUM_ALTER,
  SEQUENCE_CREATE,
  SEQUENCE_ALTER,
  TABLE_CREATE,
  FOREIGN_KEY_DROP,
  CHECK_DROP,
  UNIQUE_DROP,
  INDEX_DROP,
  PRIMARY_KEY_DROP,
  COLUMN_RENAME,
  COLUMN_ADD,
  COLUMN_ALTER,
  GENERATED_COLUMN_ADD,
  PRIMARY_KEY_ADD,
  UNIQUE_ADD,
  INDEX_ADD,
  CHECK_ADD,
  FOREIGN_KEY_ADD,
  SEQUENCE_OWNER,
  COMMENT,
  COLUMN_DROP,
  TABLE_DROP,
  SEQUENCE_DROP,
  ENUM_DROP,
  SCHEMA_DROP
}
