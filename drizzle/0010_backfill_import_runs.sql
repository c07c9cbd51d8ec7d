-- Imports staged before imports were logged as runs left candidate works with no first run, which
-- PRISMA never counted, even once included. One 'import' run per review, source and day of first
-- sight now stands for them. Only imports made such works: seeds are not candidates, and a
-- recheck of included studies stages onto works that exist.
with orphans as (
  select w.id, w.review_id, (w.first_seen_at at time zone 'UTC')::date::text as day, w.first_seen_at,
    coalesce((select sr.source from source_records sr where sr.work_id = w.id order by sr.id limit 1), 'import') as source
  from works w
  where w.origin = 'candidate' and w.first_seen_run_id is null
),
runs as (
  insert into search_runs (review_id, cycle_id, source, trigger, query, window_from, window_to, status, identified, fetched, new_works, started_at, finished_at)
  select review_id, 'import-backfill-' || md5(review_id || '|' || source || '|' || day), source, 'import',
    'imported before imports were logged as runs', day, day, 'ok', count(*), count(*), count(*), min(first_seen_at), min(first_seen_at)
  from orphans group by review_id, source, day
  returning id, review_id, source, window_from
)
update works w set first_seen_run_id = r.id
from orphans o join runs r on r.review_id = o.review_id and r.source = o.source and r.window_from = o.day
where w.id = o.id;
