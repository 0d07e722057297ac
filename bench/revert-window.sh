#!/bin/bash
# Revert window, measured (bench/revert-window.sh): a 1,000,000-row table; drop_column contract and
# downgrade inside the window; a type change int -> bigint downgraded inside the window (no rewrite)
# and with --revert-window 0 (rewrite). Build the jar first: mvn -B -o -q package -DskipTests -pl cli -am
set -e
JAR=${JAR:-cli/target/convoy.jar}
DB=convoy_t_revert_bench_$$
PG=postgresql://postgres@127.0.0.1:5432
psql -q -h 127.0.0.1 -U postgres -d postgres -c "CREATE DATABASE $DB"
trap 'psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
D=$(mktemp -d); mkdir -p $D/versions
trap 'rm -rf $D; psql -q -h 127.0.0.1 -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)"' EXIT
cat > $D/versions/base0001.yaml <<'Y'
revision: base0001
down_revision: null
message: base
operations:
  - op: sql
    up: CREATE TABLE t (id bigint PRIMARY KEY, a int NOT NULL, note text NOT NULL); INSERT INTO t SELECT g, g, md5(g::text) FROM generate_series(1, 1000000) g; CREATE INDEX t_note ON t (note)
    down: DROP TABLE t
Y
cat > $D/versions/note0002.yaml <<'Y'
revision: note0002
down_revision: base0001
message: drop note
operations:
  - op: drop_column
    table: t
    column: {name: note, type: text}
    down: md5(id::text)
Y
cat > $D/versions/wide0003.yaml <<'Y'
revision: wide0003
down_revision: note0002
message: widen a
operations:
  - op: alter_column
    table: t
    column: a
    type: bigint
    from_type: int
Y
c() { java -jar $JAR "$@" --dir $D --url $PG/$DB; }
t() { local s=$(date +%s%N); "$@" > $D/last.out 2>&1 || { cat $D/last.out; exit 1; }; echo "$(( ($(date +%s%N) - s) / 1000000 )) ms"; }
q() { psql -At -h 127.0.0.1 -U postgres -d $DB -c "$1"; }
c upgrade base0001 > /dev/null
echo "drop_column contract (held):   $(t c upgrade note0002)"
c check | grep -A2 "Held for"
q "INSERT INTO t (id, a) SELECT g, g FROM generate_series(1000001, 1000100) g"
echo "downgrade inside the window:   $(t c downgrade base0001)  (index t_note rebuilt CONCURRENTLY)"
echo "  values back: $(q "SELECT count(*) FILTER (WHERE note = md5(id::text)) || ' of ' || count(*) FROM t")"
q "DELETE FROM t WHERE id > 1000000"
echo "drop_column contract (window 0): $(t c upgrade note0002 --revert-window 0)"
echo "downgrade (window 0, re-added empty): $(t c downgrade base0001)"
q "UPDATE t SET note = md5(id::text)"
c upgrade note0002 >/dev/null
f1=$(q "SELECT pg_relation_filenode('t')")
echo "type change contract (held):   $(t c upgrade wide0003)"
f2=$(q "SELECT pg_relation_filenode('t')")
echo "type change downgrade in window: $(t c downgrade note0002)  filenode $f2 -> $(q "SELECT pg_relation_filenode('t')") (same: no rewrite)"
echo "type change contract (window 0): $(t c upgrade wide0003 --revert-window 0)"
f3=$(q "SELECT pg_relation_filenode('t')")
echo "type change downgrade, window 0: $(t c downgrade note0002)  filenode $f3 -> $(q "SELECT pg_relation_filenode('t')") (rewritten under ACCESS EXCLUSIVE)"
