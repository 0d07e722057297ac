-- Changes that break running application versions or lose data (see tokenizer.sql).

-- expect: drop-column
ALTER TABLE book DROP COLUMN notes;

-- expect: drop-column
ALTER TABLE book DROP IF EXISTS notes;

-- expect: none
ALTER TABLE book DROP CONSTRAINT book_pages_check;

-- expect: drop-table
DROP TABLE old_stuff;

-- expect: drop-table
DROP TABLE IF EXISTS a, b CASCADE;

-- expect: rename
ALTER TABLE book RENAME COLUMN title TO name;

-- expect: rename
ALTER TABLE book RENAME title TO name;

-- expect: rename-table
ALTER TABLE book RENAME TO volume;

-- expect: rename-table
ALTER TABLE IF EXISTS ONLY public.book RENAME TO volume;

-- expect: none
ALTER TABLE book RENAME CONSTRAINT book_pkey TO volume_pkey;

-- expect: drop-database
DROP DATABASE legacy;

-- expect: truncate-cascade
TRUNCATE author CASCADE;

-- expect: none
TRUNCATE staging_rows;

-- expect: enum-add-value
ALTER TYPE mood ADD VALUE 'meh';

-- expect: enum-add-value
ALTER TYPE mood ADD VALUE IF NOT EXISTS 'meh' BEFORE 'sad';

-- expect: none
ALTER TYPE mood RENAME VALUE 'meh' TO 'fine';

-- expect: domain-constraint
CREATE DOMAIN positive AS int CHECK (VALUE > 0);

-- expect: domain-constraint
ALTER DOMAIN positive ADD CONSTRAINT nonzero CHECK (VALUE <> 0);

-- expect: none
CREATE DOMAIN label AS text;

-- expect: lock-timeout-override
SET lock_timeout = 0;

-- expect: lock-timeout-override
SET lock_timeout TO '10s';

-- expect: lock-timeout-override
SET SESSION lock_timeout = '5s';

-- expect: lock-timeout-override
SET LOCAL lock_timeout TO DEFAULT;

-- expect: lock-timeout-override
RESET lock_timeout;

-- expect: lock-timeout-override
RESET ALL;

-- expect: lock-timeout-override
SELECT set_config('lock_timeout', '0', false);

-- expect: none
SET LOCAL lock_timeout = '5s';
SELECT set_config('lock_timeout', '3s', true);

-- expect: none
SET LOCAL statement_timeout = 0;

-- expect: identifier-too-long
CREATE TABLE table_very_long_very_long_very_long_very_long_very_long_very_long_x (id bigint);

-- expect: identifier-too-long
ALTER TABLE author ADD COLUMN "column_very_long_very_long_very_long_very_long_very_long_very_long" text;

-- expect: none
UPDATE author SET name = 'a string longer than sixty-three bytes is not an identifier at all, is it';

-- expect: lock-timeout-override
SET LOCAL lock_timeout = '1h';

-- expect: lock-timeout-override
SELECT set_config('lock_timeout', '30s', true);

-- expect: none
SET LOCAL lock_timeout = '10s';
SET LOCAL lock_timeout = 500;

-- expect: lock-timeout-override
ALTER ROLE app SET lock_timeout = 0;

-- expect: lock-timeout-override
ALTER DATABASE shop SET lock_timeout TO '2min';

-- expect: none
ALTER ROLE app IN DATABASE shop SET lock_timeout = '3s';
ALTER ROLE app SET statement_timeout = 0;

-- expect: rename-table
ALTER TABLE book SET SCHEMA archive;
