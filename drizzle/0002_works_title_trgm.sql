-- Hand-written: drizzle-kit emits no operator-class GIN index reliably (ENGINEERING_NOTES §2.5).
-- Fuzzy duplicate lookup filters candidates with `title_key % $1` through this index.
CREATE INDEX IF NOT EXISTS "works_title_key_trgm" ON "works" USING gin ("title_key" gin_trgm_ops);
