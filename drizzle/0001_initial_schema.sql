CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text,
	"actor" text NOT NULL,
	"channel" text NOT NULL,
	"action" text NOT NULL,
	"entity" text NOT NULL,
	"entity_id" text,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reviewers" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"email" text NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"unsubscribed_at" timestamp with time zone,
	"active" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "reviewers_role_check" CHECK ("reviewers"."role" in ('reviewer', 'maintainer'))
);
--> statement-breakpoint
CREATE TABLE "reviews" (
	"id" text PRIMARY KEY NOT NULL,
	"title" text NOT NULL,
	"protocol_file" text NOT NULL,
	"protocol_hash" text NOT NULL,
	"update_from" text NOT NULL,
	"reviewers_per_record" integer DEFAULT 1 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "search_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"cycle_id" text NOT NULL,
	"source" text NOT NULL,
	"trigger" text NOT NULL,
	"query" text NOT NULL,
	"window_from" text NOT NULL,
	"window_to" text NOT NULL,
	"status" text NOT NULL,
	"identified" integer DEFAULT 0 NOT NULL,
	"fetched" integer DEFAULT 0 NOT NULL,
	"new_works" integer DEFAULT 0 NOT NULL,
	"duplicates" integer DEFAULT 0 NOT NULL,
	"requests" integer DEFAULT 0 NOT NULL,
	"retries" integer DEFAULT 0 NOT NULL,
	"warnings" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "search_runs_status_check" CHECK ("search_runs"."status" in ('running', 'ok', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "match_reviews" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"work_a" bigint NOT NULL,
	"work_b" bigint NOT NULL,
	"score" real NOT NULL,
	"reason" text NOT NULL,
	"decision" text,
	"decided_by" text,
	"decided_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "seeds" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"seed_key" text NOT NULL,
	"doi" text,
	"pmid" text,
	"title" text,
	"note" text,
	"work_id" bigint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "source_records" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"source" text NOT NULL,
	"source_id" text NOT NULL,
	"payload_hash" text NOT NULL,
	"record" jsonb NOT NULL,
	"work_id" bigint NOT NULL,
	"match_method" text NOT NULL,
	"match_score" real,
	"first_run_id" bigint,
	"last_run_id" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "work_relations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"from_work_id" bigint NOT NULL,
	"to_work_id" bigint NOT NULL,
	"type" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "work_relations_type_check" CHECK ("work_relations"."type" in ('version-of', 'erratum-for', 'retraction-of', 'expression-of-concern-for'))
);
--> statement-breakpoint
CREATE TABLE "works" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"origin" text NOT NULL,
	"status" text NOT NULL,
	"doi" text,
	"pmid" text,
	"pmcid" text,
	"title" text NOT NULL,
	"title_key" text NOT NULL,
	"authors" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"year" integer,
	"journal" text,
	"volume" text,
	"issue" text,
	"pages" text,
	"abstract" text,
	"publication_types" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"flags" jsonb NOT NULL,
	"kind" text,
	"relevance" real,
	"attention" text,
	"first_seen_run_id" bigint,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "works_status_check" CHECK ("works"."status" in ('pending', 'included', 'excluded', 'maybe', 'conflict')),
	CONSTRAINT "works_origin_check" CHECK ("works"."origin" in ('candidate', 'seed'))
);
--> statement-breakpoint
CREATE TABLE "digests" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"reviewer_id" bigint NOT NULL,
	"period" text NOT NULL,
	"status" text NOT NULL,
	"message_id" text NOT NULL,
	"recipient" text NOT NULL,
	"subject" text NOT NULL,
	"text" text NOT NULL,
	"html" text NOT NULL,
	"work_ids" text[] NOT NULL,
	"attempts" bigint DEFAULT 0 NOT NULL,
	"last_error" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"smtp_response" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	CONSTRAINT "digests_status_check" CHECK ("digests"."status" in ('pending', 'sending', 'sent', 'failed', 'ambiguous'))
);
--> statement-breakpoint
CREATE TABLE "screening_decisions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"review_id" text NOT NULL,
	"work_id" bigint NOT NULL,
	"reviewer_id" bigint NOT NULL,
	"decision" text NOT NULL,
	"reason" text,
	"channel" text NOT NULL,
	"token_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "screening_decisions_decision_check" CHECK ("screening_decisions"."decision" in ('include', 'exclude', 'maybe')),
	CONSTRAINT "screening_decisions_channel_check" CHECK ("screening_decisions"."channel" in ('email', 'web', 'cli', 'maintainer'))
);
--> statement-breakpoint
ALTER TABLE "reviewers" ADD CONSTRAINT "reviewers_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "search_runs" ADD CONSTRAINT "search_runs_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "match_reviews" ADD CONSTRAINT "match_reviews_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "match_reviews" ADD CONSTRAINT "match_reviews_work_a_works_id_fk" FOREIGN KEY ("work_a") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "match_reviews" ADD CONSTRAINT "match_reviews_work_b_works_id_fk" FOREIGN KEY ("work_b") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seeds" ADD CONSTRAINT "seeds_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "seeds" ADD CONSTRAINT "seeds_work_id_works_id_fk" FOREIGN KEY ("work_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_work_id_works_id_fk" FOREIGN KEY ("work_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_first_run_id_search_runs_id_fk" FOREIGN KEY ("first_run_id") REFERENCES "public"."search_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "source_records" ADD CONSTRAINT "source_records_last_run_id_search_runs_id_fk" FOREIGN KEY ("last_run_id") REFERENCES "public"."search_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_relations" ADD CONSTRAINT "work_relations_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_relations" ADD CONSTRAINT "work_relations_from_work_id_works_id_fk" FOREIGN KEY ("from_work_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "work_relations" ADD CONSTRAINT "work_relations_to_work_id_works_id_fk" FOREIGN KEY ("to_work_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "works" ADD CONSTRAINT "works_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "works" ADD CONSTRAINT "works_first_seen_run_id_search_runs_id_fk" FOREIGN KEY ("first_seen_run_id") REFERENCES "public"."search_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "digests" ADD CONSTRAINT "digests_reviewer_id_reviewers_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."reviewers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_decisions" ADD CONSTRAINT "screening_decisions_review_id_reviews_id_fk" FOREIGN KEY ("review_id") REFERENCES "public"."reviews"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_decisions" ADD CONSTRAINT "screening_decisions_work_id_works_id_fk" FOREIGN KEY ("work_id") REFERENCES "public"."works"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "screening_decisions" ADD CONSTRAINT "screening_decisions_reviewer_id_reviewers_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."reviewers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_review_time" ON "audit_log" USING btree ("review_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "reviewers_review_email" ON "reviewers" USING btree ("review_id","email");--> statement-breakpoint
CREATE INDEX "search_runs_review_source" ON "search_runs" USING btree ("review_id","source","status","window_to");--> statement-breakpoint
CREATE INDEX "search_runs_cycle" ON "search_runs" USING btree ("cycle_id");--> statement-breakpoint
CREATE UNIQUE INDEX "match_reviews_pair" ON "match_reviews" USING btree ("review_id","work_a","work_b");--> statement-breakpoint
CREATE UNIQUE INDEX "seeds_key" ON "seeds" USING btree ("review_id","seed_key");--> statement-breakpoint
CREATE UNIQUE INDEX "source_records_key" ON "source_records" USING btree ("review_id","source","source_id");--> statement-breakpoint
CREATE INDEX "source_records_work" ON "source_records" USING btree ("work_id");--> statement-breakpoint
CREATE UNIQUE INDEX "work_relations_key" ON "work_relations" USING btree ("from_work_id","to_work_id","type");--> statement-breakpoint
CREATE INDEX "works_review_doi" ON "works" USING btree ("review_id","doi");--> statement-breakpoint
CREATE INDEX "works_review_pmid" ON "works" USING btree ("review_id","pmid");--> statement-breakpoint
CREATE INDEX "works_review_status" ON "works" USING btree ("review_id","status","first_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "digests_period" ON "digests" USING btree ("review_id","reviewer_id","period");--> statement-breakpoint
CREATE INDEX "digests_status" ON "digests" USING btree ("status","next_attempt_at");--> statement-breakpoint
CREATE INDEX "screening_decisions_work" ON "screening_decisions" USING btree ("work_id","reviewer_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "screening_decisions_token" ON "screening_decisions" USING btree ("token_id");