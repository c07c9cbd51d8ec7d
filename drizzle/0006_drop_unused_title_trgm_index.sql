-- Staging looks candidates up through work_block_keys (btree): a trigram `%` lookup on 1M titles
-- took ~0.7 s per record. The GIN index was maintained on every insert and read by nothing.
DROP INDEX IF EXISTS "works_title_key_trgm";
