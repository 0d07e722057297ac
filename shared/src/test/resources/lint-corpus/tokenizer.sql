-- Each case starts with an "-- expect:" line naming the rules its statements break, in order
-- ("none" for a clean case); "-- expect outside a transaction:" lints it with transactional: false.
-- Every case is a revision of its own: a table it does not create already exists, with rows.

-- expect: index-not-concurrent
UPDATE author SET bio = E'it\'s here; DROP TABLE author; ';
CREATE INDEX ix_after_e_string ON author (bio);

-- expect: index-not-concurrent
UPDATE author SET bio = 'it''s; still a string';
CREATE INDEX ix_after_doubled_quote ON author (bio);

-- expect: index-not-concurrent
UPDATE author SET bio = E'a backslash at the end \\';
CREATE INDEX ix_after_escaped_backslash ON author (bio);

-- expect: none
UPDATE author SET bio = 'a backslash is plain here \';

-- expect: index-not-concurrent
DO $x$ BEGIN EXECUTE 'SELECT 1 ; CREATE INDEX hidden ON t (a)'; END $x$;
CREATE INDEX ix_after_tagged_dollar ON author (name);

-- expect: none
SELECT $x$ ; $x$;

-- expect: none
SELECT $$ ALTER TABLE author DROP COLUMN name; $$;

-- expect: none
SELECT $a$ nested $b$ DROP TABLE author; $b$ still inside $a$;

-- expect: index-not-concurrent
/* a comment /* nested; DROP TABLE author; */ still a comment; CREATE INDEX x ON y (z); */
CREATE INDEX ix_after_nested_comment ON author (name);

-- expect: none
-- DROP TABLE author; in a line comment
SELECT 1;

-- expect: none
CREATE TABLE "DROP TABLE x; CREATE INDEX" ("CONCURRENTLY" bigint PRIMARY KEY);

-- expect: none
SELECT "SET NOT NULL" FROM "ALTER TABLE";

-- expect: index-not-concurrent
SELECT "a "" quote; inside" FROM author;
CREATE INDEX ix_after_quoted_quote ON author (name);

-- expect: index-not-concurrent
SELECT U&'\0041; still a string', U&"d\0061t;a" FROM author;
CREATE INDEX ix_after_unicode ON author (name);

-- expect: index-not-concurrent
SELECT B'1010', X'1F;', N'nat;ional' FROM author;
CREATE INDEX ix_after_bit_strings ON author (name);

-- expect: none
SELECT $1, a$b FROM author;

-- expect: none
CREATE FUNCTION one() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 1 END; END;

-- expect: drop-column
alter table Author drop column Bio;

-- expect: index-not-concurrent
create index ix_lower_case on "author" (name);

-- expect: none
UPDATE author SET bio = 'DROP TABLE author; VACUUM FULL author';

-- expect: none
INSERT INTO audit (note) VALUES ('ALTER TABLE author ALTER COLUMN id TYPE int');

-- expect: none
COMMENT ON TABLE author IS 'renamed; RENAME TO writer';
