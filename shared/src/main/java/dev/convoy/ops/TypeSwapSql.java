package dev.convoy.ops;

/**
 * The swap of a type change ({@link TypeSwap#swap}): a DO block, because what it drops and re-adds
 * is read from the catalog when it runs. Catalog-only work under locks taken first, in the order
 * the application's writes take them (referencing tables, the table, referenced tables), so a write
 * does not deadlock with it, and within one lock_timeout altogether, so a write queued behind a
 * lock already taken waits no longer than that; a deadlock that happens anyway is reported as a
 * lock timeout, which the engine retries.
 */
final class TypeSwapSql {
  private TypeSwapSql() {}

  static final String SWAP =
      """
      DO $convoy$
      DECLARE
        t regclass := to_regclass({TABLE});
        col name := {COLUMN};
        shadow name := {SHADOW};
        nsp name;
        att int2;
        old_nn boolean;
        old_default text;
        old_identity "char";
        old_note text;
        new_type regtype;
        ixs oid[];
        seq regclass;
        sq pg_sequence%ROWTYPE;
        seq_last bigint;
        seq_called boolean;
        seq_name text;
        type_max bigint;
        note text;
        r record;
        stmt text;
        carried text[] := '{}';
        current_lock_timeout text := current_setting('lock_timeout');
        budget interval := current_setting('lock_timeout')::interval;
        started timestamptz := clock_timestamp();
        waited interval;
        later text[] := '{}';
      BEGIN
        IF t IS NULL OR NOT EXISTS (SELECT 1 FROM pg_attribute
            WHERE attrelid = t AND attname = shadow AND NOT attisdropped) THEN
          RETURN;
        END IF;
        SET LOCAL client_min_messages = warning;
        SELECT a.attnum, a.attnotnull, a.attidentity, pg_get_expr(ad.adbin, ad.adrelid),
               col_description(t, a.attnum), n.nspname
          INTO att, old_nn, old_identity, old_default, old_note, nsp
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
          WHERE a.attrelid = t AND a.attname = col AND NOT a.attisdropped;
        -- Tables referencing the column, the table, then the tables it references: the order in
        -- which an application's write takes them. All waits share one lock_timeout, so no write
        -- queued behind a lock already held waits longer than that.
        FOR r IN SELECT rel, mode FROM (
              SELECT DISTINCT conrelid AS rel, 1 AS k, 'ACCESS EXCLUSIVE' AS mode FROM pg_constraint
                WHERE confrelid = t AND conrelid <> t AND att = ANY (confkey)
              UNION ALL SELECT t::oid, 2, 'ACCESS EXCLUSIVE'
              UNION SELECT DISTINCT confrelid, 3, 'SHARE ROW EXCLUSIVE' FROM pg_constraint
                WHERE conrelid = t AND confrelid <> t AND contype = 'f' AND att = ANY (conkey)
            ) l ORDER BY k, rel LOOP
          IF budget > interval '0' THEN
            waited := clock_timestamp() - started;
            IF waited >= budget THEN
              RAISE EXCEPTION USING ERRCODE = 'lock_not_available',
                MESSAGE = format('alter_column %s.%s: the swap could not take its locks within lock_timeout', t, col);
            END IF;
            PERFORM set_config('lock_timeout',
                ceil(extract(epoch FROM budget - waited) * 1000)::bigint || 'ms', true);
          END IF;
          EXECUTE format('LOCK TABLE %s IN %s MODE', r.rel::regclass, r.mode);
        END LOOP;
        PERFORM set_config('lock_timeout', current_lock_timeout, true);

        SELECT coalesce(array_agg(i.indexrelid), '{}') INTO ixs FROM pg_index i
          WHERE i.indrelid = t AND {USES};
        FOR r IN SELECT c.relname, i.indexrelid, i.indisreplident FROM pg_index i
            JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indexrelid = ANY (ixs) LOOP
          IF NOT EXISTS (SELECT 1 FROM pg_index WHERE indisvalid
              AND indexrelid = to_regclass(format('%I.%I', nsp, 'convoy_ix_' || r.indexrelid))) THEN
            RAISE EXCEPTION 'alter_column %.%: index % has no valid copy on the new column', t, col, r.relname
              USING HINT = 'Run the upgrade again: the copy is built by the step before this one.';
          END IF;
          IF r.indisreplident THEN
            later := later || format('ALTER TABLE %s REPLICA IDENTITY USING INDEX %I', t, r.relname);
          END IF;
        END LOOP;

        -- Foreign keys first: they depend on the referenced key's index.
        FOR r IN SELECT c.conname, c.conrelid::regclass AS rel, c.contype, c.conindid, c.condeferrable,
                        c.condeferred, c.convalidated, pg_get_constraintdef(c.oid) AS def,
                        obj_description(c.oid, 'pg_constraint') AS note
            FROM pg_constraint c
            WHERE (c.conrelid = t AND att = ANY (c.conkey)) OR (c.confrelid = t AND att = ANY (c.confkey))
               OR (c.contype IN ('p', 'u', 'f') AND c.conindid = ANY (ixs))
            ORDER BY c.contype <> 'f', c.oid LOOP
          EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.rel, r.conname);
          IF r.contype IN ('p', 'u') THEN
            carried := carried || format('ALTER TABLE %s ADD CONSTRAINT %I %s USING INDEX %I%s', r.rel,
                r.conname, CASE r.contype WHEN 'p' THEN 'PRIMARY KEY' ELSE 'UNIQUE' END,
                'convoy_ix_' || r.conindid,
                CASE WHEN r.condeferred THEN ' DEFERRABLE INITIALLY DEFERRED'
                     WHEN r.condeferrable THEN ' DEFERRABLE' ELSE '' END);
            note := r.note;
          ELSE
            later := later || format('ALTER TABLE %s ADD CONSTRAINT %I %s NOT VALID', r.rel, r.conname,
                CASE WHEN r.def LIKE '% NOT VALID' THEN left(r.def, -10) ELSE r.def END);
            note := CASE WHEN r.note = {MARK} OR left(r.note, length({MARK}) + 1) = {MARK} || '|' THEN r.note
                         WHEN r.convalidated THEN {MARK} || coalesce('|' || r.note, '')
                         ELSE r.note END;
          END IF;
          IF note IS NOT NULL THEN
            later := later || format('COMMENT ON CONSTRAINT %I ON %s IS %L', r.conname, r.rel, note);
          END IF;
        END LOOP;
        FOR r IN SELECT c.relname, i.indexrelid, obj_description(i.indexrelid, 'pg_class') AS note
            FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indexrelid = ANY (ixs) LOOP
          EXECUTE format('DROP INDEX %I.%I', nsp, r.relname);
          carried := carried || format('ALTER INDEX %I.%I RENAME TO %I', nsp, 'convoy_ix_' || r.indexrelid, r.relname);
          IF r.note IS NOT NULL THEN
            later := later || format('COMMENT ON INDEX %I.%I IS %L', nsp, r.relname, r.note);
          END IF;
        END LOOP;
        EXECUTE {SYNC_DROP};

        IF old_identity <> '' THEN
          SELECT d.objid INTO seq FROM pg_depend d
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
              AND d.refobjid = t AND d.refobjsubid = att AND d.deptype = 'i';
          SELECT * INTO sq FROM pg_sequence WHERE seqrelid = seq;
          EXECUTE format('SELECT last_value, is_called FROM %s', seq) INTO seq_last, seq_called;
          SELECT format('%I.%I', n.nspname, c.relname) INTO seq_name FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = seq;
          EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP IDENTITY', t, col);
        ELSE
          SELECT d.objid INTO seq FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
              AND d.refobjid = t AND d.refobjsubid = att AND d.deptype = 'a';
        END IF;
        -- Until it is dropped, the old column must not stop the new application's inserts.
        EXECUTE format('ALTER TABLE %s ALTER COLUMN %I DROP DEFAULT, ALTER COLUMN %I DROP NOT NULL', t, col, col);
        EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', t, col, {RETIRED});
        EXECUTE format('ALTER TABLE %s RENAME COLUMN %I TO %I', t, shadow, col);
        SELECT atttypid INTO new_type FROM pg_attribute WHERE attrelid = t AND attname = col;
        IF old_nn THEN
          EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET NOT NULL', t, col);
        END IF;
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT IF EXISTS %I', t, {CHECK});

        IF old_identity <> '' THEN
          type_max := CASE sq.seqtypid WHEN 'int2'::regtype THEN 32767
                      WHEN 'int4'::regtype THEN 2147483647 ELSE 9223372036854775807 END;
          EXECUTE format('ALTER TABLE %s ALTER COLUMN %I ADD GENERATED %s AS IDENTITY'
              || ' (SEQUENCE NAME %s INCREMENT BY %s%s%s CACHE %s %s START WITH %s)', t, col,
              CASE old_identity WHEN 'a' THEN 'ALWAYS' ELSE 'BY DEFAULT' END, seq_name, sq.seqincrement,
              CASE WHEN sq.seqincrement < 0 AND sq.seqmin = -type_max - 1 THEN '' ELSE ' MINVALUE ' || sq.seqmin END,
              CASE WHEN sq.seqincrement > 0 AND sq.seqmax = type_max THEN '' ELSE ' MAXVALUE ' || sq.seqmax END,
              sq.seqcache, CASE WHEN sq.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END, sq.seqstart);
          PERFORM setval(pg_get_serial_sequence(t::text, col)::regclass, seq_last, seq_called);
        ELSIF seq IS NOT NULL THEN
          EXECUTE format('ALTER SEQUENCE %s OWNED BY %s.%I', seq, t, col);
          IF new_type IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) AND
              (SELECT typlen FROM pg_type WHERE oid = new_type) >
              (SELECT ty.typlen FROM pg_sequence s JOIN pg_type ty ON ty.oid = s.seqtypid WHERE s.seqrelid = seq) THEN
            EXECUTE format('ALTER SEQUENCE %s AS %s', seq, new_type);
          END IF;
        END IF;
        IF old_default IS NOT NULL AND old_identity = '' THEN
          -- As written when the new type takes it (so the catalog reads as if declared on the new
          -- type); cast only when it does not (a text default on an integer column).
          BEGIN
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT %s', t, col, old_default);
          EXCEPTION WHEN datatype_mismatch OR invalid_text_representation THEN
            EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET DEFAULT (%s)::%s', t, col, old_default,
                (SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = t AND attname = col));
          END;
        END IF;
        IF old_note IS NOT NULL THEN
          EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', t, col, old_note);
        END IF;
        -- Column privileges (GRANT SELECT (col) ...) stay with the application's roles.
        FOR r IN SELECT a.privilege_type AS priv, a.grantee, a.is_grantable
            FROM pg_attribute x, aclexplode(x.attacl) a
            WHERE x.attrelid = t AND x.attname = {RETIRED} LOOP
          EXECUTE format('GRANT %s (%I) ON %s TO %s%s', r.priv, col, t,
              CASE WHEN r.grantee = 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(r.grantee)) END,
              CASE WHEN r.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
        FOREACH stmt IN ARRAY carried || later LOOP
          EXECUTE stmt;
        END LOOP;
      EXCEPTION WHEN deadlock_detected THEN
        RAISE EXCEPTION USING ERRCODE = 'lock_not_available',
          MESSAGE = format('alter_column %s.%s: the swap deadlocked with another session (%s)', t, col, SQLERRM);
      END $convoy$""";
}
