-- Run once by the postgres image on first start (empty data volume) via
-- /docker-entrypoint-initdb.d/. Creates one database per Convoy environment
-- plus the coordinator's control database.
CREATE DATABASE convoy_dev;
CREATE DATABASE convoy_staging;
CREATE DATABASE convoy_prod;
CREATE DATABASE convoy_control;
